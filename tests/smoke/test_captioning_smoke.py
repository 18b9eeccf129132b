"""A few steps of captioning through train(cfg): the run dir layout and metrics.json contract."""
import json

import pytest
import torch

from suite.engine import train
from tests.conftest import TINY_CAPTIONING, compose_train


@pytest.mark.parametrize("extra", [
    ["model=show_attend_tell"],
    ["model=show_tell", "model.decoder.cell=gru"],
    ["model.decoder.cell=rnn", "model.decoder.scheduled_sampling=0.25", "model.decode.beam_size=1"],
])
def test_train_writes_checkpoints_and_metrics(tmp_path, extra):
    cfg = compose_train(tmp_path, [*TINY_CAPTIONING, *extra])
    metrics = train(cfg)
    on_disk = json.loads((tmp_path / "metrics.json").read_text())
    assert on_disk == pytest.approx(metrics)
    for split in ("val", "test"):
        for name in ("bleu1", "bleu4", "cider", "loss"):
            assert f"{split}/{name}" in metrics
        assert 0.0 <= metrics[f"{split}/bleu4"] <= 100.0
    assert (tmp_path / "checkpoints" / "last.ckpt").is_file()
    assert list((tmp_path / "checkpoints").glob("best-*.ckpt"))
    ckpt = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["suite"]["task"] == "captioning"
    assert ckpt["hyper_parameters"]["meta"]["vocab"]["itos"][:4] == ["<pad>", "<bos>", "<eos>", "<unk>"]
