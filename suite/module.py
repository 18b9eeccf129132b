"""The LightningModule base every task shares: optimiser and schedule from config, skipped-item
accounting, and the validation metrics stored inside each checkpoint (metrics.json reads them)."""
from __future__ import annotations

import pytorch_lightning as pl
import torch
from hydra.utils import instantiate

from suite.data.skips import SkipLedger


class SuiteModule(pl.LightningModule):
    task_name: str = ""  # set by each task; travels in the checkpoint to pick the task at load time
    item_kind: str = "items"  # what a skipped item is called in warnings ("images", "clips", ...)

    def __init__(self, model: dict, meta: dict):
        super().__init__()
        # plain dicts only: checkpoints load with torch.load(weights_only=True)
        self.save_hyperparameters({"model": model, "meta": meta})
        self.skips = SkipLedger(self.item_kind)
        self.examples: list[dict] = []  # validation examples for suite.callbacks.PredictionTable
        self.keep_examples = False  # PredictionTable turns it on when a W&B logger is attached

    # --- optimisation --------------------------------------------------------------------------
    def configure_optimizers(self):
        cfg = self.hparams["model"]
        optimizer = instantiate(cfg["optimizer"])(params=[p for p in self.parameters() if p.requires_grad])
        if not cfg.get("scheduler"):
            return optimizer
        # a schedule shorter than 100 steps makes OneCycleLR's warm-up zero steps long (division by
        # zero); debug-sized runs just stop early in a longer schedule
        total = max(int(self.trainer.estimated_stepping_batches), 100)
        scheduler = instantiate(cfg["scheduler"])(optimizer, total_steps=total)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}

    # --- bad items -----------------------------------------------------------------------------
    def count_skipped(self, batch: dict) -> None:
        if batch.get("skipped"):
            self.skips.add(batch["skipped"])

    def on_train_epoch_end(self) -> None:
        self.skips.flush()
        self.log("data/skipped", float(self.skips.count), rank_zero_only=True)

    def on_validation_epoch_end(self) -> None:
        self.skips.flush()

    # --- checkpoints ---------------------------------------------------------------------------
    def on_save_checkpoint(self, checkpoint: dict) -> None:
        val = {k: float(v) for k, v in self.trainer.callback_metrics.items() if k.startswith("val/")}
        checkpoint["suite"] = {"task": self.task_name, "val_metrics": val}

    # --- distributed helpers -------------------------------------------------------------------
    def gather_lists(self, items: list) -> list:
        """Concatenate a python list across DDP ranks (all ranks get the full list)."""
        if self.trainer.world_size <= 1 or not torch.distributed.is_initialized():
            return items
        parts = [None] * self.trainer.world_size
        torch.distributed.all_gather_object(parts, items)
        return [x for p in parts for x in p]
