"""The LightningModule base every task shares: optimiser and schedule from config, the evaluation
loop (steps, gathering across ranks, dedupe, logging), skipped-item accounting, and the validation
metrics stored inside each checkpoint (metrics.json reads them).

A task writes `training_step` and two evaluation hooks:
  eval_batch(batch, stage) -> (loss or None, rows)   one row (a dict) per item, with its "id" when
                                                     items have one (DDP samplers repeat items)
  score(rows, stage) -> {name: value}                the split's metrics from all its rows
and optionally `example(row)` (a row of the W&B prediction table) and `on_scored(rows, stage)`.
"""
from __future__ import annotations

import warnings

import pytorch_lightning as pl
import torch
from hydra.utils import instantiate

from suite.budget import warmup_cosine
from suite.rng import rng_state, set_rng_state
from suite.data.skips import SkipLedger
from suite.errors import UserError
from suite.meta import Meta

# every run passes a datamodule, so Lightning would say on every run that the module's own
# transfer_batch_to_device (below) is the one used: that is the intent, not news
warnings.filterwarnings("ignore", message="You have overridden `transfer_batch_to_device` in `LightningModule`")


class SuiteModule(pl.LightningModule):
    task_name: str = ""  # set by each task; travels in the checkpoint to pick the task at load time
    item_kind: str = "items"  # what a skipped item is called in warnings ("images", "clips", ...)
    compile_targets: tuple[str, ...] = ()  # feed-forward submodules that compile=true hands to torch.compile
    meta_type: type[Meta] = Meta  # the task's metadata dataclass
    max_examples = 16  # rows of the W&B prediction table per validation

    def __init__(self, model: dict, meta: Meta | dict):
        super().__init__()
        self.meta = self.meta_type.coerce(meta)
        # plain dicts only: checkpoints load with torch.load(weights_only=True)
        # logger=False: loggers get the composed run config from the engine, not the vocabularies in meta
        self.save_hyperparameters({"model": model, "meta": self.meta.to_dict()}, logger=False)
        self._rows: dict[str, list] = {"val": [], "test": []}
        self.lr_progress = None  # budget=: step -> fraction of the budget (suite.budget.BudgetPlanner)
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
        if self.lr_progress is not None:  # budget=: warm-up, then cosine to zero when the budget ends
            warmup = float((cfg.get("scheduler") or {}).get("pct_start", 0.05))  # a model without a schedule too
            progress = self.lr_progress
            scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: warmup_cosine(progress(step), warmup))
            return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}
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
        datamodule = getattr(self.trainer, "datamodule", None)
        at_setup = datamodule.skipped_at_setup if datamodule is not None else 0
        self.log("data/skipped", float(self.skips.count + at_setup), rank_zero_only=True)

    # --- evaluation ----------------------------------------------------------------------------
    def eval_batch(self, batch: dict, stage: str) -> tuple[torch.Tensor | None, list[dict]]:
        """The batch's loss (None: the task has none) and one row per item for `score`."""
        raise NotImplementedError(f"{type(self).__name__} must write the eval_batch() hook (CONTRIBUTING.md)")

    def score(self, rows: list[dict], stage: str) -> dict[str, float]:
        """The split's metrics from all its rows (every rank's, each item once)."""
        raise NotImplementedError(f"{type(self).__name__} must write the score() hook (CONTRIBUTING.md)")

    def example(self, row: dict) -> dict | None:
        """A row of the W&B prediction table (None: the task shows none)."""
        return None

    def on_scored(self, rows: list[dict], stage: str) -> None:
        """After a split is scored (e.g. a confusion-matrix image); rows as `score` saw them."""

    def collecting_examples(self, stage: str) -> bool:
        """Whether this batch's rows may still reach the prediction table (for costly extras)."""
        return stage == "val" and self.keep_examples and len(self.examples) < self.max_examples

    def _eval_step(self, batch: dict, stage: str) -> None:
        self.count_skipped(batch)
        loss, rows = self.eval_batch(batch, stage)
        if loss is not None:
            self.log(f"{stage}/loss", loss, batch_size=int(batch.get("size", len(rows)) or 1), sync_dist=True)
        self._rows[stage].extend(rows)
        if self.collecting_examples(stage):
            shown = [e for e in map(self.example, rows) if e is not None]
            self.examples.extend(shown[: self.max_examples - len(self.examples)])

    def _eval_epoch_end(self, stage: str) -> None:
        self.skips.flush()
        rows = self.gather_lists(self._rows[stage])
        self._rows[stage] = []
        if rows and "id" in rows[0]:
            rows = list({row["id"]: row for row in rows}.values())  # DDP samplers pad with repeats
        if not rows:
            return
        for name, value in self.score(rows, stage).items():
            self.log(f"{stage}/{name}", float(value))
        self.on_scored(rows, stage)

    def validation_step(self, batch: dict, batch_idx: int) -> None:
        self._eval_step(batch, "val")

    def test_step(self, batch: dict, batch_idx: int) -> None:
        self._eval_step(batch, "test")

    def on_validation_epoch_start(self) -> None:
        self.examples = []
        self._rows["val"] = []

    def on_test_epoch_start(self) -> None:
        self._rows["test"] = []

    def on_validation_epoch_end(self) -> None:
        self._eval_epoch_end("val")

    def on_test_epoch_end(self) -> None:
        self._eval_epoch_end("test")

    # --- checkpoints ---------------------------------------------------------------------------
    def on_save_checkpoint(self, checkpoint: dict) -> None:
        val = {k: float(v) for k, v in self.trainer.callback_metrics.items() if k.startswith("val/")}
        checkpoint["suite"] = {"task": self.task_name, "val_metrics": val, "rng": rng_state()}

    def on_load_checkpoint(self, checkpoint: dict) -> None:
        """A resumed run draws the same dropout masks and shuffles as the run it continues: the
        states are set before Lightning creates the training loader's iterator (which draws its
        seed), as the uninterrupted run did right after the save."""
        rng = checkpoint.get("suite", {}).get("rng")
        if rng and self._trainer is not None and self.trainer.state.fn == "fit":
            set_rng_state(rng)

    # --- distributed helpers -------------------------------------------------------------------
    def gather_lists(self, items: list) -> list:
        """Concatenate a python list across DDP ranks (all ranks get the full list)."""
        if self.trainer.world_size <= 1 or not torch.distributed.is_initialized():
            return items
        parts = [None] * self.trainer.world_size
        torch.distributed.all_gather_object(parts, items)
        return [x for p in parts for x in p]
