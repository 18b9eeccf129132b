"""W&B table of validation examples (inputs, references, predictions) after every validation.

A module that wants one, when its `keep_examples` is set, fills `self.examples` during validation with up to `max_rows` dicts of
column -> value; image tensors (3, H, W) in [0, 1] and PIL images become wandb.Image cells.
"""
from __future__ import annotations

import pytorch_lightning as pl
import torch
from PIL import Image
from pytorch_lightning.loggers import WandbLogger


def _cell(value):
    import wandb

    if isinstance(value, torch.Tensor) and value.dim() == 3:
        # via PIL: wandb 0.31 turns float CHW tensors into near-identical images
        pixels = (value.detach().float().clamp(0, 1) * 255).round().byte().permute(1, 2, 0).cpu().numpy()
        return wandb.Image(Image.fromarray(pixels))
    if isinstance(value, Image.Image):
        return wandb.Image(value)
    return value


def _same_size(items: list) -> list:
    """W&B image panels want one size per key: pad PIL images onto white canvases of the largest."""
    if not all(isinstance(x, Image.Image) for x in items):
        return items
    w, h = max(x.width for x in items), max(x.height for x in items)
    out = []
    for x in items:
        canvas = Image.new("RGB", (w, h), "white")
        canvas.paste(x, (0, 0))
        out.append(canvas)
    return out


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
        columns = list(rows[0])
        media = [c for c in columns if isinstance(rows[0][c], (torch.Tensor, Image.Image))]
        text = [c for c in columns if c not in media]
        captions = [" / ".join(str(r[c]) for c in text) for r in rows]
        for logger in trainer.loggers:
            if isinstance(logger, WandbLogger):
                logger.log_table(self.key, columns=columns, data=[[_cell(r[c]) for c in columns] for r in rows],
                                 step=trainer.global_step)
                # W&B offline runs store table images only as the word "Image" (wandb issue 4611):
                # log each media column as an image panel too, captioned with the text columns.
                for c in media:
                    cells = _same_size([r[c] for r in rows])
                    logger.log_image(f"{self.key}/{c}", [_cell(x) for x in cells], step=trainer.global_step,
                                     caption=captions)
