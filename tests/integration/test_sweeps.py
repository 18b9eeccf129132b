"""Hydra sweeps through the console script: an Optuna search optimises what train() returns."""
import yaml

from tests.conftest import TINY_CAPTIONING
from tests.integration.cli import run


def test_optuna_search_runs_its_trials_and_reports_the_best_value(tmp_path):
    args = [a for a in TINY_CAPTIONING if a != "task=captioning"]
    proc = run("suite-train", "-m", "hparams_search=captioning_optuna", "hydra.sweeper.n_trials=2",
               "++trainer.max_steps=5", *args, cwd=tmp_path)
    sweeps = list((tmp_path / "multirun" / "captioning").iterdir())
    assert len(sweeps) == 1
    jobs = sorted(p.name for p in sweeps[0].iterdir() if p.is_dir() and p.name.isdigit())
    assert jobs == ["0", "1"]
    for job in jobs:  # max_steps=5 ends before the first epoch's validation: the engine validates anyway
        assert (sweeps[0] / job / "metrics.json").is_file()
    result = yaml.safe_load((sweeps[0] / "optimization_results.yaml").read_text())
    # the searched keys, less hidden_size, which the tiny settings pin on the command line
    assert set(result["best_params"]) == {"model.optimizer.lr", "model.decoder.dropout",
                                          "model.doubly_stochastic"}
    assert 0 <= result["best_value"] <= 100
    assert "Best value" in proc.stdout + proc.stderr
