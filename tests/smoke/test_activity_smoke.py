"""A few steps of activity recognition through train(cfg): LRCN with each cell, and frame_pool."""
import json

import pytest
import torch

from suite.engine import train
from tests.conftest import compose_train
from tests.tiny import tiny


@pytest.mark.parametrize("extra", [  # the default lrcn/lstm/tsn path runs in the integration tests
    ["model.cell=gru", "model.readout=mean", "data.sampling=dense", "data.stride=2"],
    ["model=frame_pool"],
])
def test_train_writes_checkpoints_metrics_and_confusion_matrices(tmp_path, extra):
    metrics = train(compose_train(tmp_path, tiny("activity", *extra)))
    assert json.loads((tmp_path / "metrics.json").read_text()) == pytest.approx(metrics)
    for split in ("val", "test"):
        assert 0.0 <= metrics[f"{split}/acc"] <= metrics[f"{split}/acc_top5"] <= 1.0
        assert f"{split}/acc_class/move_left" in metrics
    assert (tmp_path / "confusion" / "epoch_000.png").is_file() and (tmp_path / "confusion" / "test.png").is_file()
    ckpt = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["suite"]["task"] == "activity"
    assert len(ckpt["hyper_parameters"]["meta"]["classes"]) == 10
