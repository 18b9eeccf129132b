"""Speech: train -> predict (WAV, FLAC, OGG) and eval from the checkpoint alone; bad audio is one clear line;
a manifest with broken and missing files trains, skipping and counting them, resampling 8 kHz clips and
padding a clip too short for its transcript."""
import json
import logging

import pytest
from omegaconf import OmegaConf

from suite.data.audio import AudioError
from suite.engine import predict, train
from suite.errors import UserError
from tests.conftest import compose_train
from tests.fixtures.audio_formats import write_audio, write_broken, write_manifest
from tests.integration.cli import assert_eval_reproduces, error_line, run, trained_checkpoint
from tests.tiny import tiny


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    return trained_checkpoint(tmp_path_factory, *tiny("speech"))


def _predict_cfg(ckpt, input, **kw):
    return OmegaConf.create({"ckpt_path": str(ckpt), "task_name": None, "input": str(input), "output": "text",
                             "beam_size": None, "batch_size": 4, "seed": 0, "threads": None, **kw})


def test_predict_every_format_from_the_checkpoint_alone(ckpt, tmp_path):
    for name, rate, ch in (("a.wav", 16000, 1), ("b.flac", 8000, 2), ("c.ogg", 22050, 1)):
        write_audio(tmp_path / "in" / name, 0.6, rate=rate, channels=ch)
    rows = [json.loads(line) for line in run("suite-predict", f"ckpt_path={ckpt}", f"input={tmp_path / 'in'}",
                                             "output=json", "beam_size=3").stdout.strip().splitlines()]
    assert [r["input"].rsplit("/", 1)[-1] for r in rows] == ["a.wav", "b.flac", "c.ogg"]
    assert all(isinstance(r["text"], str) and r["seconds"] == pytest.approx(0.6, abs=0.01) for r in rows)


def test_predict_on_bad_audio_ends_in_one_clear_line(ckpt, tmp_path):
    broken = write_broken(tmp_path)
    for kind, path in broken.items():  # in-process: each kind is an AudioError naming the file
        with pytest.raises(AudioError) as err:
            predict(_predict_cfg(ckpt, path))
        assert str(path) in str(err.value) and "\n" not in str(err.value), kind
    proc = run("suite-predict", f"ckpt_path={ckpt}", f"input={broken['corrupt']}", check=False)
    assert proc.returncode == 2 and "cannot read audio" in error_line(proc)


def test_predict_refuses_audio_over_max_seconds_in_one_line(ckpt, tmp_path):
    path = write_audio(tmp_path / "long.wav", 2.0)
    proc = run("suite-predict", f"ckpt_path={ckpt}", f"input={path}", "max_seconds=1.5", check=False)
    assert proc.returncode == 2 and "long.wav' is 2 s long, over max_seconds=1.5" in error_line(proc)


def test_eval_from_the_checkpoint_alone(ckpt, tmp_path):
    assert_eval_reproduces(ckpt, tmp_path, "test/wer", 1e-4)


def test_manifest_with_broken_and_missing_files_trains_and_counts_them(tmp_path, caplog):
    good = [write_audio(tmp_path / "clips" / f"g{i}.wav", 0.5 + 0.05 * i, rate=8000 * (1 + i % 2)) for i in range(6)]
    broken = write_broken(tmp_path / "clips")
    rows = [{"audio": f"clips/{p.name}", "text": "one two" if i % 2 else "three"} for i, p in enumerate(good)]
    rows += [{"audio": f"clips/{p.name}", "text": "four"} for p in broken.values()]
    rows += [{"audio": "clips/missing.flac", "text": "five"}]
    short = write_audio(tmp_path / "clips" / "short.wav", 0.05)  # 2 frames after subsampling; "one two" needs 7
    rows += [{"audio": f"clips/{short.name}", "text": "one two"}]
    train_m = write_manifest(tmp_path / "train.jsonl", rows)
    val_m = write_manifest(tmp_path / "val.jsonl", rows[:2])
    overrides = [o for o in tiny("speech") if not o.startswith("data.")]
    with caplog.at_level(logging.INFO):
        metrics = train(compose_train(tmp_path / "run", [
            *overrides, "data=audio_manifest", f"data.train={train_m}", f"data.val={val_m}", "data.num_workers=0",
            "data.batch_frames=400"]))
    assert 0 <= metrics["val/wer"] and "test/wer" not in metrics
    text = caplog.text
    # at setup: empty, zero-length and corrupt headers, and the missing file
    assert "skipped 4 unusable utterances, e.g. " in text and "empty.wav (the file is empty (0 bytes))" in text
    assert "skipped 1 unreadable utterances" in text and "silent.flac" in text  # silence found when decoded
    assert "resampling 3 files from 8000 Hz to 16000 Hz" in text  # said once, before training
    assert "padded 1 training utterances" in text and "short.wav" in text and "under CTC" not in text  # not dropped


def test_missing_manifest_is_one_clear_line(tmp_path):
    cfg = compose_train(tmp_path / "run", ["task=speech", "data=audio_manifest", f"data.train={tmp_path / 'nope.jsonl'}",
                                           "logger=none"])
    with pytest.raises(UserError) as err:
        train(cfg)
    assert "nope.jsonl" in str(err.value) and "does not exist" in str(err.value) and "\n" not in str(err.value)
