"""A few steps of forecast through train(cfg): metrics with both baselines, the plots, each cell."""
import json

import pytest

from suite.engine import train
from tests.conftest import compose_train

TINY_FORECAST = [
    "task=forecast", "data.n=240", "data.batch_size=32", "model.hidden_size=8",
    "trainer.max_epochs=2", "trainer.accelerator=cpu", "trainer.devices=1", "trainer.enable_progress_bar=false",
    "trainer.enable_model_summary=false", "trainer.num_sanity_val_steps=0", "trainer.log_every_n_steps=1",
    "logger=none", "threads=1",
]


def test_train_writes_metrics_baselines_and_plots(tmp_path):
    metrics = train(compose_train(tmp_path, [*TINY_FORECAST, "callbacks=gradient_flow", "model.cell=gru",
                                             "model.num_layers=2"]))
    assert json.loads((tmp_path / "metrics.json").read_text()) == pytest.approx(metrics)
    for split in ("val", "test"):
        for name in ("mae", "rmse", "smape", "rmse_naive", "rmse_seasonal_naive", "mae_seasonal_naive"):
            assert metrics[f"{split}/{name}"] > 0
    assert (tmp_path / "forecast_val.png").is_file() and (tmp_path / "forecast_test.png").is_file()
    curve = json.loads((tmp_path / "gradient_flow" / "epoch_001.json").read_text())
    assert len(curve["norms"]) == 24 and (tmp_path / "gradient_flow" / "epoch_001.png").is_file()  # data.window
