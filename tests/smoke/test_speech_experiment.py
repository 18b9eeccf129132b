"""experiment=spoken_digits: composes onto audio_manifest at 8 kHz and trains on 8 kHz clips without resampling."""
import logging

import torch

from suite.engine import train
from tests.conftest import compose_train
from tests.fixtures.audio_formats import write_audio, write_manifest
from tests.tiny import tiny


def _manifest(folder, name, n, rate):
    clips = [write_audio(folder / "clips" / f"{name}{i}.wav", 0.3 + 0.05 * i, rate=rate) for i in range(n)]
    return write_manifest(folder / f"{name}.jsonl", [{"audio": f"clips/{p.name}", "text": ["one", "two", "three"][i % 3]}
                                                     for i, p in enumerate(clips)])


def test_spoken_digits_experiment_trains_at_the_recordings_rate(tmp_path, caplog):
    train_m, test_m = _manifest(tmp_path, "train", 10, 8000), _manifest(tmp_path, "test", 3, 8000)
    model = [o for o in tiny("speech") if not o.startswith("data.")]
    cfg = compose_train(tmp_path / "run", ["experiment=spoken_digits", f"data.train={train_m}", f"data.test={test_m}",
                                           *model, "trainer.max_epochs=1"])
    assert cfg.task.name == "speech" and cfg.data.name == "audio_manifest" and cfg.data.sample_rate == 8000
    assert list(cfg.data.speed_perturb) == [0.9, 1.0, 1.1] and cfg.model.trim.top_db == 30
    with caplog.at_level(logging.INFO):
        metrics = train(cfg)
    assert 0 <= metrics["test/wer"] and "resampling" not in caplog.text  # the model runs at 8 kHz
    meta = torch.load(tmp_path / "run" / "checkpoints" / "last.ckpt", weights_only=True)["hyper_parameters"]["meta"]
    assert meta["sample_rate"] == 8000
