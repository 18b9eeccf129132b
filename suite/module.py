"""The LightningModule base every task shares: optimiser and schedule from config, skipped-item
accounting, and the validation metrics stored inside each checkpoint (metrics.json reads them)."""
from __future__ import annotations

import warnings

import pytorch_lightning as pl
import torch
from hydra.utils import instantiate

from suite.data.skips import SkipLedger
from suite.errors import UserError

# every run passes a datamodule, so Lightning would say on every run that the module's own
# transfer_batch_to_device (below) is the one used: that is the intent, not news
warnings.filterwarnings("ignore", message="You have overridden `transfer_batch_to_device` in `LightningModule`")


class SuiteModule(pl.LightningModule):
    task_name: str = ""  # set by each task; travels in the checkpoint to pick the task at load time
    item_kind: str = "items"  # what a skipped item is called in warnings ("images", "clips", ...)
    compile_targets: tuple[str, ...] = ()  # feed-forward submodules that compile=true hands to torch.compile

    def __init__(self, model: dict, meta: dict):
        super().__init__()
        # plain dicts only: checkpoints load with torch.load(weights_only=True)
        # logger=False: loggers get the composed run config from the engine, not the vocabularies in meta
        self.save_hyperparameters({"model": model, "meta": meta}, logger=False)
        self.skips = SkipLedger(self.item_kind)
        self.examples: list[dict] = []  # validation examples for suite.callbacks.PredictionTable
        self.keep_examples = False  # PredictionTable turns it on when a W&B logger is attached
        self.max_nonfinite_steps = 10  # the engine sets it from cfg.max_nonfinite_steps
        self.nonfinite_streak = 0  # non-finite losses in a row (skipped steps)
        self.nonfinite_total = 0  # skipped steps over the whole run
        self.stop_reason: str | None = None  # set when training stopped on non-finite losses

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

    def on_before_optimizer_step(self, optimizer) -> None:
        """Log the gradient norm before clipping (a rising curve warns of explosion before a NaN)."""
        if not self.logging_step():
            return
        grads = [p.grad.detach() for p in self.parameters() if p.grad is not None]
        if grads:
            norm = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads]))
            self.log("train/grad_norm", norm, on_step=True, on_epoch=False)

    def logging_step(self) -> bool:
        """True on the steps whose values reach the loggers: Lightning writes on step n when
        (n + 1) % log_every_n_steps == 0, before global_step counts the step."""
        trainer = self._trainer
        return trainer is not None and (trainer.global_step + 1) % max(trainer.log_every_n_steps, 1) == 0

    def log_train(self, name: str, value, batch_size: int, prog_bar: bool = False) -> None:
        """self.log for per-step training figures, on logging steps only: every self.log costs
        Lightning about a millisecond of bookkeeping (it deep-copies the metric's metadata), and
        a value logged between logging steps is never written anywhere. The progress bar shows
        the loss of the latest logging step."""
        if self.logging_step():
            self.log(name, value, prog_bar=prog_bar, batch_size=batch_size)

    # --- numerical faults ----------------------------------------------------------------------
    def backward(self, loss: torch.Tensor, *args, **kwargs) -> None:
        """Skip the step of a non-finite loss (no gradients: the optimiser leaves every weight as is);
        too many in a row stop the run, which the engine reports with the checkpoint it saved."""
        if self.max_nonfinite_steps <= 0:  # the check is off: no host read of the loss (a GPU sync) per step
            super().backward(loss, *args, **kwargs)
            return
        bad = (~torch.isfinite(loss.detach())).float()
        if self.trainer.world_size > 1 and torch.distributed.is_initialized():
            torch.distributed.all_reduce(bad, op=torch.distributed.ReduceOp.MAX)  # all ranks skip together
        if not bad.item():
            self.nonfinite_streak = 0
            super().backward(loss, *args, **kwargs)
            return
        self.nonfinite_streak += 1
        self.nonfinite_total += 1
        self.log("train/nonfinite_steps", float(self.nonfinite_total), rank_zero_only=True)
        if self.nonfinite_streak >= self.max_nonfinite_steps and self.stop_reason is None:
            self.stop_reason = (f"the loss was not finite for {self.nonfinite_streak} steps in a row (global step "
                                f"{self.trainer.global_step})")
            self.trainer.should_stop = True

    # --- compilation ---------------------------------------------------------------------------
    def compile_parts(self, backend: str = "inductor") -> list[str]:
        """torch.compile the feed-forward parts in place (parameter names unchanged, so checkpoints
        are the same). Recurrent loops stay eager: their Python step loops would unroll per length."""
        for name in self.compile_targets:
            try:
                self.get_submodule(name).compile(backend=backend)
            except Exception as err:  # torch checks the backend name here, before any step runs
                raise UserError(f"compile={backend} failed ({type(err).__name__}): use compile=true (inductor), "
                                f"compile=false, or a name from torch._dynamo.list_backends()") from err
        return list(self.compile_targets)

    # --- batches -------------------------------------------------------------------------------
    def transfer_batch_to_device(self, batch, device: torch.device, dataloader_idx: int):
        """Batches are flat dicts of tensors beside lists of strings (ids, references, paths).
        Lightning's generic mover walks every string of those lists, every step; moving the
        tensors alone is the same result at a fraction of the cost (and nothing at all on a CPU)."""
        nested = any(isinstance(v, (dict, tuple)) or (isinstance(v, list) and v and isinstance(v[0], torch.Tensor))
                     for v in batch.values()) if isinstance(batch, dict) else True
        if nested:
            return super().transfer_batch_to_device(batch, device, dataloader_idx)
        if device.type == "cpu" and all(v.device.type == "cpu" for v in batch.values() if isinstance(v, torch.Tensor)):
            return batch
        return {k: v.to(device, non_blocking=True) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}

    # --- bad items -----------------------------------------------------------------------------
    def count_skipped(self, batch: dict) -> None:
        if batch.get("skipped"):
            self.skips.add(batch["skipped"])

    def on_train_epoch_end(self) -> None:
        self.skips.flush()
        # every bad item so far: those the readers dropped at setup (already warned) and those found when loaded
        at_setup = int(getattr(getattr(self.trainer, "datamodule", None), "skipped_at_setup", 0) or 0)
        self.log("data/skipped", float(self.skips.count + at_setup), rank_zero_only=True)

    def on_validation_epoch_end(self) -> None:
        self.skips.flush()

    def on_test_end(self) -> None:
        self.skips.flush()  # unreadable test items are reported too (tasks override on_test_epoch_end)

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
