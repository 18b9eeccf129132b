"""The roommate default trains to val acc 1.0 in seconds; every cell runs; no test split, no test metrics."""
from suite.engine import train
from tests.conftest import compose_train
from tests.tiny import tiny


def test_default_reaches_val_acc_one(tmp_path):
    metrics = train(compose_train(tmp_path, tiny("roommate", "trainer.max_epochs=6")))
    assert metrics["val/acc"] == 1.0 and metrics["val/week_acc"] == 1.0
    assert not any(k.startswith("test/") for k in metrics)  # roommate has no test split


def test_a_torch_cell_trains(tmp_path):
    metrics = train(compose_train(tmp_path, tiny("roommate", "model.cell=gru", "model.num_layers=2",
                                                 "data.n_train=64")))
    assert 0.0 <= metrics["val/acc"] <= 1.0 and metrics["val/loss"] > 0
