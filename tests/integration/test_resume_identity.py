"""Resume is what it says: 1 epoch + crash + resume + 1 epoch == 2 epochs without a break."""
import json

import pytest
import pytorch_lightning as pl
import torch

from suite.engine import train
from tests.conftest import compose_train
from tests.tiny import tiny


class CrashAfterFirstEpoch(pl.Callback):
    """Fails the run as epoch 1 starts (epoch 0 validated, its last.ckpt written), as a kill would."""

    def on_train_epoch_start(self, trainer, pl_module):
        if trainer.current_epoch == 1:
            raise RuntimeError("simulated crash")


# dropout on (0.1 in the YAML) so the RNG state matters; 2 epochs so the schedule spans both
RUN = tiny("translation", "trainer.max_epochs=2", "data.n_train=120")


def test_resumed_run_equals_the_uninterrupted_one(tmp_path):
    whole = train(compose_train(tmp_path / "whole", RUN))
    crash = [*RUN, "+callbacks.crash._target_=tests.integration.test_resume_identity.CrashAfterFirstEpoch"]
    with pytest.raises(RuntimeError, match="simulated crash"):
        train(compose_train(tmp_path / "broken", crash))
    resumed = train(compose_train(tmp_path / "broken", [*RUN, f"resume={tmp_path / 'broken/checkpoints/last.ckpt'}"]))
    assert resumed == pytest.approx(whole, rel=1e-6)
    a = torch.load(tmp_path / "whole/checkpoints/last.ckpt", weights_only=True)["state_dict"]
    b = torch.load(tmp_path / "broken/checkpoints/last.ckpt", weights_only=True)["state_dict"]
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert json.loads((tmp_path / "broken/metrics.json").read_text()) == pytest.approx(whole)
