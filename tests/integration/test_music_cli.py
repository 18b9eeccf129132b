"""Music: train -> suite-predict writes a .mid, an .abc, a .wav and a .png that read back; same
seed, same music; bad primers and bad data are one clear line."""
import wave

import pytest
from omegaconf import OmegaConf

from suite.checkpoint import load_module
from suite.config import with_task_options
from suite.errors import UserError
from suite.registry import get_task
from tasks.music.predict import predict
from tests.integration.cli import error_line, run
from tests.tiny import tiny


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("music") / "run"
    run("suite-train", *tiny("music"), f"hydra.run.dir={run_dir}")
    return run_dir / "checkpoints" / "last.ckpt"


def _cfg(tmp_path, **options):
    """suite-predict's config for a music checkpoint: the task's predict options under the given ones."""
    given = OmegaConf.create({"ckpt_path": "x", "input": None, "seed": 7, "output_dir": str(tmp_path), **options})
    return with_task_options(given, "music")


def test_predict_writes_files_that_read_back(ckpt, tmp_path):
    import matplotlib.image
    import pretty_midi

    from tasks.music.readers import parse_abc_tune

    out = run("suite-predict", f"ckpt_path={ckpt}", "task=music", "steps=64", "seed=7", "primer=C4 E4 G4",
              f"output_dir={tmp_path}").stdout.strip().splitlines()
    assert out == [str(tmp_path / f"sample.{ext}") for ext in ("mid", "abc", "wav", "png")]
    midi = pretty_midi.PrettyMIDI(out[0])
    notes = midi.instruments[0].notes
    assert [n.pitch for n in notes[:3]] == [60, 64, 67] and notes[0].end == pytest.approx(0.5)  # the primer, quarters
    abc = parse_abc_tune((tmp_path / "sample.abc").read_text(), "sample")
    assert [(p, s, e) for p, s, e in abc.notes] == [(n.pitch, round(n.start * 8), round(n.end * 8)) for n in notes]
    with wave.open(out[2]) as w:
        assert w.getframerate() == 22050 and w.getnframes() >= 22050 * midi.get_end_time() * 0.99
    assert matplotlib.image.imread(out[3]).ndim == 3


def test_same_seed_same_music_and_bad_primers_are_one_line(ckpt, tmp_path):
    module = load_module(ckpt, get_task("music"))
    first = predict(module, _cfg(tmp_path / "a", steps=48))
    second = predict(module, _cfg(tmp_path / "b", steps=48))
    assert (tmp_path / "a" / "sample.mid").read_bytes() == (tmp_path / "b" / "sample.mid").read_bytes()
    assert first[0]["events"] == second[0]["events"] == 48
    other = predict(module, _cfg(tmp_path / "c", steps=48, seed=8))
    assert (tmp_path / "c" / "sample.abc").read_text() != (tmp_path / "a" / "sample.abc").read_text() or \
        other[0]["notes"] == 0
    (tmp_path / "bad.abc").write_text("X:1\nT:Broken\nM:4/4\nL:1/4\nK:C\nC D [CE F|\n")
    (tmp_path / "empty.mid").write_bytes(b"")
    for primer, expected in [(tmp_path / "bad.abc", "X:1 Broken"), (tmp_path / "empty.mid", "is empty"),
                             ("C4 H9", "not a pitch"), (tmp_path / "gone.mid", "does not exist")]:
        with pytest.raises(UserError, match=expected) as err:
            predict(module, _cfg(tmp_path, primer=str(primer)))
        assert "\n" not in str(err.value)
    with pytest.raises(UserError, match="temperature"):
        predict(module, _cfg(tmp_path, temperature=0))


def test_corrupt_midi_primer_is_one_clear_line(ckpt, tmp_path):
    bad = tmp_path / "corrupt.mid"
    bad.write_bytes(b"MThd\x00\x00\x00\x06garbage-not-midi")
    proc = run("suite-predict", f"ckpt_path={ckpt}", f"primer={bad}", f"output_dir={tmp_path}", check=False)
    assert proc.returncode == 2 and "not a readable MIDI file" in error_line(proc)


def test_abc_data_with_bad_tunes_trains_and_counts_them(tmp_path):
    from tests.unit.test_music_data import TUNES

    (tmp_path / "tunes.abc").write_text(TUNES * 3)
    (tmp_path / "empty.abc").write_text("")
    from suite.engine import train
    from tests.conftest import compose_train

    sizes = [a for a in tiny("music") if not a.startswith("data.n_")]  # the synthetic set's sizes
    cfg = compose_train(tmp_path / "run", [*sizes, "data=abc", f"data.path={tmp_path}", "data.batch_size=2"])
    metrics = train(cfg)
    from tasks.music.datamodule import MusicDataModule

    dm = MusicDataModule(dict(cfg.data))
    dm.setup("fit")
    assert dm.skipped_at_setup == 4  # the broken tune of each of the 3 copies + the empty file
    assert "val/nll" in metrics and "test/nll_ngram" in metrics
    strict = compose_train(tmp_path / "run2", [*sizes, "data=abc", f"data.path={tmp_path}", "data.strict=true"])
    with pytest.raises(UserError, match="data.strict=true"):
        train(strict)
