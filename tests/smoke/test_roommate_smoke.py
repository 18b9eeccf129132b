"""The roommate default trains to val acc 1.0 in seconds; every cell runs."""
from suite.engine import train
from tests.conftest import compose_train

FAST = ["task=roommate", "trainer.accelerator=cpu", "trainer.devices=1", "trainer.enable_progress_bar=false",
        "trainer.enable_model_summary=false", "trainer.num_sanity_val_steps=0", "logger=none", "threads=1"]


def test_default_reaches_val_acc_one(tmp_path):
    metrics = train(compose_train(tmp_path, [*FAST, "trainer.max_epochs=6"]))
    assert metrics["val/acc"] == 1.0 and metrics["val/week_acc"] == 1.0


def test_a_torch_cell_trains(tmp_path):
    metrics = train(compose_train(tmp_path, [*FAST, "model.cell=gru", "model.num_layers=2", "trainer.max_epochs=1",
                                             "data.n_train=64"]))
    assert 0.0 <= metrics["val/acc"] <= 1.0
