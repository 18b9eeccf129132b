"""poly_rnn through train(cfg) on a piano-roll file written by the test: metrics.json holds the frame
NLL and the marginal baseline's; a short run learns chord progressions the baseline cannot predict;
suite-predict writes a polyphonic sample; a pickle holding an object stops the run in one line."""
import json
import pickle
import random

import pytest

from suite.checkpoint import load_module
from suite.engine import train
from suite.errors import UserError
from suite.registry import get_task
from tasks.music.frames import LOWEST
from tests.conftest import compose_train
from tests.tiny import tiny
from tests.unit.test_music_formats import Payload

PROGRESSION = [[0, 4, 7], [5, 9, 12], [7, 11, 14], [0, 4, 7]]  # I IV V I above the tonic


def chorales(n: int, rng: random.Random) -> list:
    """Pieces of 24 frames: I-IV-V-I (two frames a chord) in one of six keys; the first chord tells the
    key, then every frame follows from the ones before, which the per-key marginal cannot know."""
    pieces = []
    for _ in range(n):
        tonic = 55 + rng.randrange(6)
        pieces.append([[tonic + d for d in chord] for _ in range(3) for chord in PROGRESSION for _ in range(2)])
    return pieces


@pytest.fixture(scope="module")
def rolls(tmp_path_factory):
    rng = random.Random(0)
    path = tmp_path_factory.mktemp("rolls") / "chords.json"
    path.write_text(json.dumps({"train": chorales(64, rng), "valid": chorales(12, rng), "test": chorales(12, rng)}))
    return path


def poly(path, *extra):
    sizes = [a for a in tiny("music") if not a.startswith("data.n_")]  # the synthetic set's sizes
    return [*sizes, "model=poly_rnn", "data=pianoroll", f"data.path={path}", "data.batch_size=16",
            "model.embed_size=16", "model.hidden_size=32", *extra]


def test_poly_rnn_learns_progressions_the_marginal_cannot(tmp_path, rolls):
    metrics = train(compose_train(tmp_path, poly(rolls, "model.optimizer.lr=0.02", "model.dropout=0.0",
                                                 "trainer.max_epochs=25")))
    assert json.loads((tmp_path / "metrics.json").read_text()) == pytest.approx(metrics)
    for split in ("val", "test"):
        # the marginal: ~6 keys in 3 chords of 6 keys each, ~3 of them sounding: several nats a frame
        assert metrics[f"{split}/frame_nll_marginal"] > 5.0
        assert metrics[f"{split}/frame_nll"] < metrics[f"{split}/frame_nll_marginal"] - MARGIN, metrics


MARGIN = 3.0  # nats per frame; measured 5.9 (val 2.12 against the marginal's 8.02; 25 epochs, ~20 s)


def test_poly_rnn_predict_writes_chords_and_bad_pickles_stop_the_run(tmp_path, rolls):
    from tasks.music.predict import predict
    from tests.integration.test_music_cli import _cfg

    train(compose_train(tmp_path / "run", poly(rolls, "model.cell=gru")))
    module = load_module(tmp_path / "run" / "checkpoints" / "last.ckpt", get_task("music"))
    assert module.meta.representation == "pianoroll" and len(module.meta.marginal) == 88
    out = predict(module, _cfg(tmp_path / "out", steps=16, primer="C4 E4 G4"))[0]
    assert out["frames"] == 12 + 16  # the primer's three quarter notes: 4 frames each (data.frame_steps=1: 16ths)
    import pretty_midi

    notes = pretty_midi.PrettyMIDI(out["mid"]).instruments[0].notes
    assert [n.pitch for n in notes[:3]] == [60, 64, 67] and min(n.pitch for n in notes) >= LOWEST
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(pickle.dumps({"train": [[[60]]], "valid": [[[60]]], "test": [Payload()]}))
    with pytest.raises(UserError, match="refused"):
        train(compose_train(tmp_path / "evil", poly(evil)))
