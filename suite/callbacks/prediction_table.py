"""W&B table of validation examples (inputs, references, predictions) after every validation.

A module that wants one, when its `keep_examples` is set, fills `self.examples` during validation with up to `max_rows` dicts of
column -> value; image tensors (3, H, W) in [0, 1] and PIL images become wandb.Image cells.
"""
from __future__ import annotations

import pytorch_lightning as pl
import torch
from pytorch_lightning.loggers import WandbLogger


def _cell(value):
    import wandb
    from PIL import Image

    if isinstance(value, torch.Tensor) and value.dim() == 3:
        return wandb.Image(value.detach().float().clamp(0, 1).cpu())
    if isinstance(value, Image.Image):
        return wandb.Image(value)
    return value


class PredictionTable(pl.Callback):
    def __init__(self, key: str = "val/predictions"):
        self.key = key

    def setup(self, trainer: pl.Trainer, pl_module: pl.LightningModule, stage: str) -> None:
        # modules only spend time on examples when someone will look at them
        pl_module.keep_examples = any(isinstance(lg, WandbLogger) for lg in trainer.loggers)

    def on_validation_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        rows = getattr(pl_module, "examples", None)
        if trainer.sanity_checking or not rows:
            return
        for logger in trainer.loggers:
            if isinstance(logger, WandbLogger):
                columns = list(rows[0])
                logger.log_table(self.key, columns=columns, data=[[_cell(r[c]) for c in columns] for r in rows],
                                 step=trainer.global_step)
