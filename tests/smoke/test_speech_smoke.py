"""A few steps of speech recognition through train(cfg), for each recurrent cell and both decoders."""
import json

import pytest
import torch

from suite.engine import train
from tests.conftest import compose_train
from tests.tiny import tiny


@pytest.mark.parametrize("extra", [
    [],
    ["model.cell=gru", "model.decode.beam_size=2"],
    ["model.cell=rnn", "model.encoder.time_strides=[2,1]"],
])
def test_train_writes_checkpoints_and_metrics(tmp_path, extra):
    metrics = train(compose_train(tmp_path, tiny("speech", *extra)))
    assert json.loads((tmp_path / "metrics.json").read_text()) == pytest.approx(metrics)
    for split in ("val", "test"):
        assert 0.0 <= metrics[f"{split}/cer"] and 0.0 <= metrics[f"{split}/wer"] and metrics[f"{split}/loss"] > 0
    ckpt = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["suite"]["task"] == "speech"
    meta = ckpt["hyper_parameters"]["meta"]
    assert meta["chars"]["itos"][:2] == ["<blank>", " "] and "seven" in meta["words"]
    assert meta["sample_rate"] == 16000 and meta["data"]["name"] == "spoken_digits"


def test_wandb_run_gets_a_table_and_playable_validation_audio(tmp_path):
    train(compose_train(tmp_path, tiny("speech", "logger=wandb", "logger.offline=true")))
    media = next((tmp_path / "wandb").glob("offline-run-*")) / "files" / "media"
    table = json.loads(next((media / "table" / "val").glob("*.table.json")).read_text())
    assert table["columns"] == ["audio", "reference", "hypothesis"] and table["data"]
    assert list((media / "audio" / "val").glob("*.wav"))
