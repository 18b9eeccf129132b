"""Gradient flow through time: ||d loss / d h_t|| for every step t of one validation batch.

A vanilla RNN's curve falls by orders of magnitude back in time (the vanishing gradient); an
LSTM's stays flat far longer. Each validation writes gradient_flow/epoch_XXX.png (and the curve as
.json) into trainer.default_root_dir and logs the image to W&B.

Protocol: the module defines
    sequence_outputs(batch) -> (loss, states)
with `loss` a scalar and `states` (B, T, H) the recurrent layer's outputs that loss was computed
from (in the autograd graph), padded steps included. The states must lie on the recurrent path:
a fused nn.LSTM's returned outputs do not (step t+1 reads the layer's internal state), so modules
build them with suite.nn.gradient_probe.stepwise_states.
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytorch_lightning as pl
import torch
from lightning_fabric.utilities.apply_func import move_data_to_device
from pytorch_lightning.loggers import WandbLogger

from suite.errors import UserError

log = logging.getLogger(__name__)


def gradient_norms(module, batch) -> torch.Tensor:
    """(T,): ||d loss / d h_t|| over H, averaged over the batch."""
    with torch.enable_grad():
        loss, states = module.sequence_outputs(batch)
        if states.dim() != 3:
            raise UserError(f"{type(module).__name__}.sequence_outputs returned states of shape {tuple(states.shape)},"
                            " not (B, T, H)")
        (grad,) = torch.autograd.grad(loss, states, allow_unused=False)  # (B, T, H)
    return grad.float().norm(dim=-1).mean(dim=0).detach().cpu()  # (B, T) -> (T,)


def save_curve(norms: torch.Tensor, path: Path, title: str, log_scale: bool = True) -> Path:
    import matplotlib

    matplotlib.use("Agg")  # files only: training machines have no display
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(7, 3.5), dpi=100)
    steps = list(range(1, norms.numel() + 1))
    ax.plot(steps, norms.clamp_min(1e-30).tolist() if log_scale else norms.tolist(), marker=".", lw=1.2)
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel("time step t")
    ax.set_ylabel("mean ||d loss / d h_t||")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


class GradientFlow(pl.Callback):
    def __init__(self, every_n_epochs: int = 1, log_scale: bool = True, key: str = "diagnostics/gradient_flow"):
        self.every_n_epochs, self.log_scale, self.key = max(1, int(every_n_epochs)), log_scale, key

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        if not callable(getattr(pl_module, "sequence_outputs", None)):
            task = getattr(pl_module, "task_name", type(pl_module).__name__)
            raise UserError(f"callbacks=gradient_flow needs a module with sequence_outputs(batch), which task={task}"
                            " lacks: drop callbacks=gradient_flow or use a task that has it (e.g. task=forecast)")

    def on_validation_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if trainer.sanity_checking or not trainer.is_global_zero or trainer.current_epoch % self.every_n_epochs:
            return
        loaders = trainer.val_dataloaders
        loader = loaders[0] if isinstance(loaders, (list, tuple)) else loaders
        batch = next(iter(loader), None) if loader is not None else None
        if batch is None:
            return
        batch = move_data_to_device(batch, pl_module.device)
        was_training = pl_module.training
        pl_module.eval()  # no dropout: the curve shows the model, not the noise
        try:
            norms = gradient_norms(pl_module, batch)
        finally:
            pl_module.train(was_training)
        if norms.numel() > 1 and not bool(norms[:-1].any()):
            log.warning("gradient flow: d loss / d h_t is zero before the last step: %s.sequence_outputs returns states"
                        " that are not on the recurrent path (see suite.nn.gradient_probe), or the model has no recurrence",
                        type(pl_module).__name__)
        self.write(norms, Path(trainer.default_root_dir), trainer.current_epoch, pl_module, trainer)

    def write(self, norms: torch.Tensor, root: Path, epoch: int, pl_module, trainer=None) -> Path:
        cell = _cell_name(pl_module)
        ratio = float(norms[0] / norms[-1]) if float(norms[-1]) > 0 else 0.0
        title = f"gradient flow, {cell}, epoch {epoch}: first/last step = {ratio:.2e}"
        path = save_curve(norms, root / "gradient_flow" / f"epoch_{epoch:03d}.png", title, self.log_scale)
        path.with_suffix(".json").write_text(json.dumps({"epoch": epoch, "cell": cell, "norms": norms.tolist()}))
        for logger in (trainer.loggers if trainer is not None else []):
            if isinstance(logger, WandbLogger):
                logger.log_image(self.key, [str(path)], step=trainer.global_step, caption=[title])
        return path


def _cell_name(pl_module) -> str:
    model = getattr(pl_module, "hparams", {}).get("model", {}) if hasattr(pl_module, "hparams") else {}
    return str(model.get("cell", "?")) if isinstance(model, dict) else "?"
