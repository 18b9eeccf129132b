"""Long-run safety: non-finite losses, atomic checkpoints, determinism, the W&B run continued on resume."""
import json
import logging
import re

import pytest
import torch

from suite.checkpoint import AtomicCheckpointIO
from suite.engine import train
from suite.errors import UserError
from tasks.captioning.module import CaptioningModule
from tests.conftest import TINY_CAPTIONING, compose_train
from tests.integration.cli import error_line, run


def _nan_at(monkeypatch, steps):
    """Make the captioning loss NaN at the given global steps (all steps when `steps` is None)."""
    original = CaptioningModule.training_step

    def poisoned(self, batch, batch_idx):
        loss = original(self, batch, batch_idx)
        return loss * float("nan") if steps is None or self.global_step in steps else loss

    monkeypatch.setattr(CaptioningModule, "training_step", poisoned)


def _all_finite(ckpt_path) -> bool:
    state = torch.load(ckpt_path, weights_only=True)["state_dict"]
    return all(torch.isfinite(v).all() for v in state.values() if v.is_floating_point())


def test_a_nan_loss_skips_its_step_and_the_run_goes_on(tmp_path, monkeypatch, caplog):
    _nan_at(monkeypatch, {1, 2})
    with caplog.at_level(logging.WARNING, logger="suite.engine"):
        metrics = train(compose_train(tmp_path, TINY_CAPTIONING))
    assert "skipped 2 training steps whose loss was not finite" in caplog.text
    assert metrics["val/bleu4"] >= 0
    assert _all_finite(tmp_path / "checkpoints" / "last.ckpt")


def test_nan_losses_in_a_row_stop_with_a_clear_line_and_a_checkpoint(tmp_path, monkeypatch):
    _nan_at(monkeypatch, None)
    cfg = compose_train(tmp_path, [*TINY_CAPTIONING, "max_nonfinite_steps=3"])
    with pytest.raises(UserError) as err:
        train(cfg)
    msg = str(err.value)
    assert "\n" not in msg and "not finite for 3 steps in a row" in msg and "model.optimizer.lr" in msg
    last = tmp_path / "checkpoints" / "last.ckpt"
    assert str(last) in msg and _all_finite(last)
    assert torch.load(last, weights_only=True)["global_step"] == 3  # stopped at once, not after the 6-step epoch


def test_a_failed_save_leaves_the_previous_checkpoint_whole(tmp_path, monkeypatch):
    io, path = AtomicCheckpointIO(), tmp_path / "last.ckpt"
    io.save_checkpoint({"step": 1, "w": torch.ones(3)}, path)

    def dies_halfway(obj, f, *args, **kwargs):
        f.write(b"half a checkpoint")
        raise KeyboardInterrupt  # as if the job were killed mid-write

    monkeypatch.setattr(torch, "save", dies_halfway)
    with pytest.raises(KeyboardInterrupt):
        io.save_checkpoint({"step": 2, "w": torch.zeros(3)}, path)
    monkeypatch.undo()
    assert torch.load(path, weights_only=True)["step"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["last.ckpt"]  # no temporary file left behind


def test_the_same_seed_gives_the_same_metrics_json(tmp_path):
    texts = []
    for name in ("a", "b"):
        train(compose_train(tmp_path / name, TINY_CAPTIONING))
        texts.append((tmp_path / name / "metrics.json").read_text())
    assert texts[0] == texts[1] and json.loads(texts[0])["val/bleu4"] >= 0


def test_resume_continues_the_same_wandb_run(tmp_path):
    train(compose_train(tmp_path, [*TINY_CAPTIONING, "logger=wandb", "trainer.max_epochs=1", "resume=auto"]))
    train(compose_train(tmp_path, [*TINY_CAPTIONING, "logger=wandb", "trainer.max_epochs=2", "resume=auto"]))
    runs = sorted((tmp_path / "wandb").glob("offline-run-*"))
    assert len(runs) == 2  # one folder per process, both for the same W&B run
    # offline-run-<date>_<time>-<run id>, and W&B adds -1 when both processes start in the same second
    ids = {re.match(r"offline-run-\d{8}_\d{6}-([a-z0-9]+)", r.name).group(1) for r in runs}
    assert len(ids) == 1
    assert torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)["epoch"] == 1


class _RunsCode:
    """A pickled object that would create a file when unpickled (what a hostile checkpoint does)."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (str(self.target), "w"))


def test_a_checkpoint_that_would_run_code_is_refused_in_one_line(tmp_path):
    target = tmp_path / "pwned"
    crafted = tmp_path / "crafted.ckpt"
    torch.save({"state_dict": {}, "suite": {"task": "captioning"}, "payload": _RunsCode(target)}, crafted)
    proc = run("suite-predict", f"ckpt_path={crafted}", "input=x.jpg", check=False)
    line = error_line(proc)
    assert proc.returncode == 2 and line.startswith("error: refusing checkpoint") and "pickled objects" in line
    assert not target.exists()  # nothing was executed
