"""Forecast on a real-format CSV (named column, date column, rows out of order): train -> eval ->
predict from the checkpoint alone. (Bad CSVs: tests/unit/test_forecast_data.py; the CLI's one-line error
path: tests/integration/test_charlm_cli.py.)"""
import json

import pytest

from omegaconf import OmegaConf

from suite.checkpoint import load_module
from suite.registry import get_task
from tasks.forecast.predict import predict
from tasks.forecast.synthetic import make_series
from tests.fixtures.series_formats import write_series_csv
from tests.integration.cli import run
from tests.tiny import tiny

TINY = tiny("forecast", "data=csv_series", "data.column=Passengers", "data.date_column=Month", "data.window=12",
            "data.horizon=3")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("fc")
    csv = write_series_csv(tmp / "airline.csv", make_series(120, 12, seed=3), shuffle_rows=True)
    run("suite-train", *TINY, f"data.path={csv}", f"hydra.run.dir={tmp / 'run'}")
    return tmp / "run", csv


def test_metrics_hold_both_baselines_and_predict_forecasts_the_horizon(trained, tmp_path):
    run_dir, csv = trained
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert {"test/rmse", "test/rmse_naive", "test/rmse_seasonal_naive", "val/rmse_seasonal_naive"} <= set(metrics)
    assert (run_dir / "forecast_test.png").is_file()
    ckpt = run_dir / "checkpoints" / "last.ckpt"
    longer = json.loads(run("suite-predict", f"ckpt_path={ckpt}", f"input={csv}", "output=json", "horizon=7").stdout)
    assert len(longer["forecast"]) == 7 and longer["column"] == "Passengers"  # past the model's 3: fed back in
    # in-process, from the checkpoint alone: horizon=null gives the model's own horizon, the same first steps
    module = load_module(ckpt, get_task("forecast"))
    out = predict(module, OmegaConf.create({"input": str(csv), "horizon": None}))[0]
    assert len(out["forecast"]) == 3 and out["forecast"] == pytest.approx(longer["forecast"][:3], abs=1e-3)



def test_eval_from_the_checkpoint_alone_gives_the_training_runs_test_metrics(trained, tmp_path):
    run_dir, _ = trained
    best = next((run_dir / "checkpoints").glob("best-epoch*.ckpt"))  # metrics.json's test/* came from the best
    run("suite-eval", f"ckpt_path={best}", f"hydra.run.dir={tmp_path}", "trainer.enable_progress_bar=false")
    again, trained_metrics = (json.loads(p.read_text()) for p in (tmp_path / "metrics.json", run_dir / "metrics.json"))
    for name in ("test/rmse", "test/rmse_naive", "test/rmse_seasonal_naive"):  # same scaler, same windows
        assert again[name] == pytest.approx(trained_metrics[name], rel=1e-5)
