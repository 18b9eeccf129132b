"""Speech readers (audio_manifest, LibriSpeech), the frame-budget sampler and the collate."""
import json

import pytest
import torch

from suite.data.skips import Skipped
from suite.data.splits import Splits
from suite.errors import UserError
from tasks.speech import readers
from tasks.speech.datamodule import SpeechDataModule, collate
from tasks.speech.meta import SpeechMeta
from tasks.speech.sampler import FrameBudgetSampler
from tests.fixtures.audio_formats import write_audio, write_broken, write_librispeech, write_manifest

MANIFEST_DATA = {"name": "audio_manifest", "task": "speech", "val": None, "test": None, "val_fraction": 0.25,
                 "seed": 0, "sample_rate": 16000, "batch_frames": 400, "max_batch_size": 8, "max_duration": 20.0,
                 "strict": False, "num_workers": 0}


def _manifest_with_bad_items(tmp_path):
    good = [write_audio(tmp_path / "clips" / f"g{i}.{ext}", 0.2 + 0.1 * i, rate=rate, channels=ch)
            for i, (ext, rate, ch) in enumerate([("wav", 16000, 1), ("flac", 8000, 2), ("ogg", 22050, 1),
                                                 ("wav", 44100, 2)])]
    broken = write_broken(tmp_path / "clips")
    rows = [{"audio": f"clips/{p.name}", "text": f"Hello  World {i}"} for i, p in enumerate(good)]
    rows[0]["audio"] = str(good[0])  # absolute paths work too
    rows += [{"audio": f"clips/{p.name}", "text": "bad"} for p in broken.values()]
    rows += [{"audio": "clips/missing.wav", "text": "gone"}, {"audio": "clips/g0.wav", "text": "  "}]
    path = write_manifest(tmp_path / "train.jsonl", rows)
    with path.open("a") as f:
        f.write("{not json\n\n")
    return path


def test_manifest_reads_relative_and_absolute_paths_and_counts_bad_items(tmp_path):
    path = _manifest_with_bad_items(tmp_path)
    out = Splits(train=[])
    utts = readers.read_manifest_file(path, out)
    # header-level breakage (empty, zero-length, corrupt) is caught now; silence only when decoded
    assert sorted(u.audio.rsplit("/", 1)[-1] for u in utts) == ["g0.wav", "g1.flac", "g2.ogg", "g3.wav", "silent.flac"]
    assert [p.rsplit("/", 1)[-1] for p, why in out.skipped if why == readers.MISSING] == ["missing.wav"]
    reasons = dict(out.skipped)
    assert len(out.skipped) == 6 and reasons["train.jsonl:10"] == "empty transcript"
    assert any("not a JSON object" in r for r in reasons.values())
    assert utts[1].duration == pytest.approx(0.3, abs=1e-3)


def test_strict_makes_a_missing_file_fatal(tmp_path):
    path = write_manifest(tmp_path / "m.jsonl", [{"audio": "nope.wav", "text": "x"}])
    with pytest.raises(UserError, match="no such file"):
        readers.read_manifests(path, strict=True)
    with pytest.raises(UserError, match="no usable training utterances"):
        readers.read_manifests(path)


def test_librispeech_layout_and_carved_val(tmp_path):
    write_librispeech(tmp_path, {"train-clean-100": 3, "dev-clean": 1})
    splits = readers.read_librispeech(tmp_path, ["train-clean-100"], ["dev-clean"], [])
    assert len(splits.train) == 6 and len(splits.val) == 2 and not splits.test
    assert splits.train[0].text == "HELLO" and splits.train[2].audio.endswith("19-198-0002.flac")
    carved = readers.read_librispeech(tmp_path / "LibriSpeech", ["train-clean-100"], [], val_fraction=0.34)
    assert len(carved.val) == 2 and len(carved.train) == 4 and "carved" in carved.notes[0]
    with pytest.raises(UserError, match="no LibriSpeech set 'train-other-500'.*found: dev-clean, train-clean-100"):
        readers.read_librispeech(tmp_path, ["train-other-500"])


def test_datamodule_skips_and_counts_unreadable_audio_in_batches(tmp_path):
    path = _manifest_with_bad_items(tmp_path)
    dm = SpeechDataModule({**MANIFEST_DATA, "train": str(path), "val_fraction": 0.0})
    dm.setup("fit")
    assert dm.skipped_at_setup == 6  # 3 broken headers, a missing file, an empty transcript, a bad line
    itos = dm.meta.chars.itos
    assert itos[:2] == ["<blank>", " "] and "h" in itos and "H" not in itos
    assert dm.meta.words == ["0", "1", "2", "3", "bad", "hello", "world"]  # "bad": silent.flac, found when decoded
    batches = list(dm.train_dataloader())
    skipped = [s for b in batches for s in b["skipped"]]
    assert [s.path.rsplit("/", 1)[-1] for s in skipped] == ["silent.flac"]
    assert sorted(r for b in batches for r in b["refs"]) == [f"hello world {i}" for i in range(4)]
    assert all(b["wave"].shape == (b["size"], int(b["lengths"].max())) for b in batches if b["size"])
    saved = dm.metadata().to_dict()
    assert json.loads(json.dumps(saved)) == saved  # plain data, travels in the checkpoint
    back = SpeechMeta.from_dict(saved)
    assert back.chars.itos == itos and back.sample_rate == 16000 and back.data["train"] == str(path)


def test_frame_budget_batches_are_bucketed_by_duration(tmp_path):
    clips = [write_audio(tmp_path / f"c{i}.wav", s) for i, s in enumerate([0.9, 0.2, 1.5, 0.3, 1.0, 0.25])]
    path = write_manifest(tmp_path / "m.jsonl", [{"audio": p.name, "text": "one"} for p in clips])
    dm = SpeechDataModule({**MANIFEST_DATA, "train": str(path), "val_fraction": 0.0, "batch_frames": 200})
    dm.setup("fit")
    assert [dm.length(it) for it in dm.items["train"]] == [90, 20, 150, 30, 100, 25]  # 10 ms frames
    batches = sorted(sorted(dm.length(dm.items["train"][i]) for i in b["ids"]) for b in dm.train_dataloader())
    assert batches == [[20, 25, 30], [90, 100], [150]]  # neighbours in length, each under 200 padded frames


def test_collate_pads_and_lists_skipped():
    items = [{"wave": torch.ones(5), "target": [2, 3], "min_frames": 2, "ref": "ab", "audio": "a", "id": 0},
             Skipped("b.wav", "silent"),
             {"wave": torch.ones(3), "target": [4, 4], "min_frames": 3, "ref": "cc", "audio": "c", "id": 2}]
    b = collate(items)
    assert b["wave"].shape == (2, 5) and b["wave"][1, 3:].sum() == 0 and b["lengths"].tolist() == [5, 3]
    assert b["targets"].tolist() == [2, 3, 4, 4] and b["target_lengths"].tolist() == [2, 2]
    assert b["min_frames"].tolist() == [2, 3] and b["skipped"] == [Skipped("b.wav", "silent")]


def _padding(sampler, lengths):
    batches = list(sampler)
    total = sum(max(lengths[i] for i in b) * len(b) for b in batches)
    return 1 - sum(lengths) / total, batches


def test_frame_budget_sampler_covers_everything_within_budget_with_little_padding():
    g = torch.Generator().manual_seed(0)
    lengths = torch.randint(50, 700, (500,), generator=g).tolist()
    bucketed = FrameBudgetSampler(lengths, 4000, max_batch_size=32, seed=1)
    pad_b, batches = _padding(bucketed, lengths)
    assert sorted(i for b in batches for i in b) == list(range(500))
    assert all(max(lengths[i] for i in b) * len(b) <= 4000 and len(b) <= 32 for b in batches)
    assert len(bucketed) == len(batches)
    pad_r, _ = _padding(FrameBudgetSampler(lengths, 4000, max_batch_size=32, seed=1, bucket=False), lengths)
    assert pad_b < 0.05 < 0.25 < pad_r
    assert list(bucketed) != batches  # a new order every epoch
    assert len({len(list(bucketed)) for _ in range(5)}) == 1  # ... and the same count (Lightning validates by it)


def test_frame_budget_sampler_shards_batches_by_rank(monkeypatch):
    lengths = list(range(10, 310))
    s = FrameBudgetSampler(lengths, 1000, max_batch_size=64, shuffle=True, seed=3)
    shards = []
    for rank in (0, 1):
        monkeypatch.setattr(FrameBudgetSampler, "_world", lambda self, r=rank: (r, 2))
        s.set_epoch(0)
        shards.append(list(s))
    assert len(shards[0]) == len(shards[1])
    shared = set(map(tuple, shards[0])) & set(map(tuple, shards[1]))
    assert len(shared) <= 1  # at most the one repeat that evens out an odd batch count
    assert {i for sh in shards for b in sh for i in b} == set(range(300))


def test_predict_refuses_audio_over_max_seconds_from_the_header_before_decoding(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from omegaconf import OmegaConf

    from tasks.speech import predict as speech_predict

    path = write_audio(tmp_path / "long.wav", 3.0)
    module = SimpleNamespace(sample_rate=16000, transcribe=lambda wave, lengths, beam_size: ["three"] * len(wave))
    cfg = OmegaConf.create({"input": str(path), "batch_size": 4, "beam_size": None, "max_seconds": 2})
    decode = speech_predict.load_audio
    monkeypatch.setattr(speech_predict, "load_audio", lambda *a: pytest.fail("decoded before refusing"))
    with pytest.raises(UserError) as err:
        speech_predict.predict(module, cfg)
    msg = str(err.value)
    assert "long.wav' is 3 s long, over max_seconds=2" in msg and "shorter pieces" in msg and "\n" not in msg
    monkeypatch.setattr(speech_predict, "load_audio", decode)
    cfg.max_seconds = 5  # under the limit: transcribed
    assert speech_predict.predict(module, cfg) == [{"input": str(path), "text": "three", "seconds": 3.0}]
    cfg.max_seconds = 0
    with pytest.raises(UserError, match="max_seconds=0 must be a positive number of seconds"):
        speech_predict.predict(module, cfg)


def test_8khz_files_are_resampled_to_the_model_rate_and_the_log_says_so_once(tmp_path, caplog):
    clips = [write_audio(tmp_path / "c0.wav", 0.5, rate=8000), write_audio(tmp_path / "c1.wav", 0.3, rate=8000),
             write_audio(tmp_path / "c2.wav", 0.4, rate=16000)]
    rows = [{"audio": p.name, "text": "one"} for p in clips]
    rows.append({"audio": "c1.wav", "text": "two", "duration": 0.3})  # header not read: rate unknown until decoded
    path = write_manifest(tmp_path / "m.jsonl", rows)
    dm = SpeechDataModule({**MANIFEST_DATA, "train": str(path), "val_fraction": 0.0})
    with caplog.at_level("INFO"):
        dm.setup("fit")
    notes = [r.getMessage() for r in caplog.records if "resampling" in r.getMessage()]
    assert notes == ["resampling 2 files from 8000 Hz, any of 1 files whose duration the manifest gave "
                     "(rate read when decoded) to 16000 Hz (data.sample_rate, the model's rate)"]
    waves = {b["ids"][k]: int(b["lengths"][k]) for b in dm.train_dataloader() for k in range(b["size"])}
    assert [waves[i] for i in range(4)] == [8000, 4800, 6400, 4800]  # every clip at 16 kHz
    at_8k = SpeechDataModule({**MANIFEST_DATA, "train": str(path), "val_fraction": 0.0, "sample_rate": 8000})
    assert readers.resampling_note(at_8k.read(), 8000).startswith("resampling 1 files from 16000 Hz, any of 1")


def _speed_dm(tmp_path, speed) -> SpeechDataModule:
    clips = [write_audio(tmp_path / f"c{i}.wav", 0.2 + 0.1 * i) for i in range(4)]
    rows = [{"audio": p.name, "text": "one"} for p in clips]
    train, val = write_manifest(tmp_path / "t.jsonl", rows), write_manifest(tmp_path / "v.jsonl", rows)
    dm = SpeechDataModule({**MANIFEST_DATA, "train": str(train), "val": str(val), "test": str(val),
                           "speed_perturb": speed})
    dm.setup("fit")
    return dm


def _lengths(loader) -> list[int]:
    return sorted(int(n) for b in loader for n in b["lengths"])


def test_speed_perturbation_changes_training_audio_only(tmp_path):
    dm = _speed_dm(tmp_path, [0.5])  # one factor: every training clip plays at half speed, twice as long
    recorded = [3200, 4800, 6400, 8000]
    assert _lengths(dm.train_dataloader()) == [2 * n for n in recorded]
    assert _lengths(dm.val_dataloader()) == recorded and _lengths(dm.test_dataloader()) == recorded
    assert _lengths(_speed_dm(tmp_path / "off", None).train_dataloader()) == recorded


@pytest.mark.parametrize("bad", [[0.1, 1.0], "fast", 1.1])
def test_bad_speed_factors_are_one_clear_line(tmp_path, bad):
    dm = _speed_dm(tmp_path, None)
    dm.data["speed_perturb"] = bad
    with pytest.raises(UserError, match=r"data.speed_perturb=.* is not a list of speed factors") as err:
        dm.train_dataloader()
    assert "\n" not in str(err.value)
