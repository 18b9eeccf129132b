"""Music runs with an offline W&B logger: each validation logs a table of seeded samples (audio, piano
roll, ABC text) and, because offline tables keep media only as words (wandb issue 4611), the audio and
the rolls as panels; metrics.json gets the samples' musical statistics beside the held-out pieces'."""
import json
import random

from suite.engine import train
from tasks.music.readers import parse_abc_tune
from tasks.music.samples import EXAMPLES
from tasks.music.stats import STATS
from tests.conftest import compose_train
from tests.smoke.test_music_poly import chorales, poly
from tests.tiny import tiny


def _media(run_dir, validations: int) -> list[list]:
    """The sample table's rows, after checking one table and one audio and one roll panel a validation."""
    (run,) = (run_dir / "wandb").glob("offline-run-*")
    media = run / "files" / "media"
    tables = sorted(media.glob("table/val/predictions_*.table.json"))
    assert len(tables) == validations
    assert len(list(media.glob("audio/val/sample_audio_*.wav"))) == EXAMPLES * validations
    assert len(list(media.glob("images/val/sample_pianoroll_*.png"))) == EXAMPLES * validations
    table = json.loads(tables[-1].read_text())
    assert table["columns"] == ["seed", "audio", "pianoroll", "abc"]
    assert [row[0] for row in table["data"]] == list(range(EXAMPLES))
    return table["data"]


def _stats(metrics: dict) -> None:
    for who in ("gen", "data"):
        assert {f"test/{who}_{s}" for s in STATS} <= set(metrics), sorted(metrics)


def test_melody_run_logs_sample_table_and_panels_and_writes_statistics(tmp_path):
    metrics = train(compose_train(tmp_path, tiny("music", "logger=wandb", "trainer.max_epochs=2")))
    rows = _media(tmp_path, validations=2)
    for _, _, _, abc in rows:
        assert parse_abc_tune(abc, "sample").notes  # the ABC text reads back as music
    assert json.loads((tmp_path / "metrics.json").read_text()) == metrics
    _stats(metrics)
    # melodies: one pitch at a time, both the samples and the held-out tunes
    assert metrics["test/gen_polyphony"] == metrics["test/data_polyphony"] == 1.0
    assert metrics["test/data_in_scale"] > 0.9  # the synthetic tunes keep to their key (minor's leading tone aside)


def test_poly_run_logs_sample_table_and_writes_statistics_of_its_chords(tmp_path):
    path = tmp_path / "chords.json"
    rng = random.Random(0)
    path.write_text(json.dumps({"train": chorales(32, rng), "valid": chorales(6, rng), "test": chorales(6, rng)}))
    metrics = train(compose_train(tmp_path / "run", poly(path, "logger=wandb")))
    assert all("(top voice)" in row[3] for row in _media(tmp_path / "run", validations=1))
    _stats(metrics)
    # every held-out frame is a three-note chord of one major key, never silent
    assert metrics["test/data_polyphony"] == 3.0 and metrics["test/data_in_scale"] == 1.0
    assert metrics["test/data_empty_beats"] == 0.0
