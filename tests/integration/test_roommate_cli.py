"""Roommate: train (with callbacks=gradient_flow) -> predict a week from the checkpoint alone."""
import json

import pytest

from tests.integration.cli import run
from tests.tiny import tiny


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("rm") / "run"
    run("suite-train", *tiny("roommate", "model.cell=lstm", "trainer.max_epochs=3", "callbacks=gradient_flow"),
        f"hydra.run.dir={run_dir}")
    return run_dir


def test_gradient_flow_png_per_validation_with_one_point_per_day(trained):
    curves = sorted((trained / "gradient_flow").glob("epoch_*.json"))
    assert len(curves) == 3 and all(p.with_suffix(".png").is_file() for p in curves)
    assert len(json.loads(curves[-1].read_text())["norms"]) == 14  # data.days


def test_predict_prints_matrices_and_the_week(trained):
    ckpt = next(trained.joinpath("checkpoints").glob("best-epoch*.ckpt"))
    out = run("suite-predict", f"ckpt_path={ckpt}", 'input="burger: sunny,rainy,rainy,sunny"', "output=json").stdout
    row = json.loads(out)
    assert row["start_dish"] == "burger" and row["dishes"] == row["rule"] == ["chicken", "chicken", "chicken",
                                                                              "apple pie"]
    assert "learned matrices of the lstm layer" in row["text"] and "predicted week (4/4" in row["text"]
