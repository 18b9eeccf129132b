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


def test_a_budget_decays_the_lr_of_a_model_without_a_scheduler(tmp_path):
    """roommate's model has no scheduler (a constant LR): budget= still ends its LR at zero with the budget."""
    import torch

    assert compose_train(tmp_path, tiny("roommate")).model.scheduler is None
    train(compose_train(tmp_path, tiny("roommate", "budget=4s", "trainer.max_epochs=1")))
    ckpt = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["epoch"] >= 1  # the epoch limit was lifted
    assert ckpt["optimizer_states"][0]["param_groups"][0]["lr"] < 0.25 * 0.05  # roommate's lr: 0.05, decayed
