"""Training to a wall-clock budget: `budget=15m` (also `90s`, `2h`, `1h30m`).

A budgeted run has no epoch limit; it stops when the budget is spent (Lightning's Timer, which is
DDP-safe and saved in checkpoints, so `resume=auto` continues with the time that is left). The
learning rate follows warm-up then cosine decay to zero *over the budget*: budget-aware schedules
beat a fixed-epoch schedule cut off by a time limit (Li, Yumer & Ramanan, "Budgeted Training",
ICLR 2020). Since the number of steps that fit is unknown in advance, `BudgetPlanner` measures the
step rate after the first steps and re-estimates it every few steps; rank 0's estimate is
broadcast so every rank uses the same learning rate. A long epoch on a big dataset is validated
a few times within the budget, so the best checkpoint is recent.
"""
from __future__ import annotations

import math
import re
import time

import pytorch_lightning as pl
from pytorch_lightning.callbacks import Timer

from suite.errors import UserError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_budget(spec) -> float:
    """'90s', '15m', '2h', '1h30m' or plain seconds -> seconds."""
    text = str(spec).strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        seconds = float(text)
    else:
        parts = re.findall(r"(\d+(?:\.\d+)?)([smhd])", text)
        if not parts or "".join(n + u for n, u in parts) != text:
            raise UserError(f"budget={spec} is not a duration: use e.g. budget=90s, budget=15m, budget=2h or budget=1h30m")
        seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds <= 0:
        raise UserError(f"budget={spec} is not positive: give the training time, e.g. budget=15m")
    return seconds


def warmup_cosine(progress: float, warmup: float, floor: float = 0.04) -> float:
    """LR factor at `progress` (0 -> 1) of the run: linear warm-up from `floor` over the first
    `warmup` fraction (OneCycle's 1/25 start), then cosine down to zero at the end."""
    progress = min(max(progress, 0.0), 1.0)
    if progress < warmup:
        return floor + (1.0 - floor) * progress / warmup
    return 0.5 * (1.0 + math.cos(math.pi * (progress - warmup) / max(1.0 - warmup, 1e-9)))


class BudgetPlanner(pl.Callback):
    """Estimates how many optimiser steps the budget holds and serves the schedule's progress."""

    def __init__(self, seconds: float, every: int = 10, validations: int = 4):
        self.seconds = seconds
        self.every = every  # steps between re-estimates (one small broadcast each under DDP)
        self.validations = validations  # at least this many validations within the budget
        self.total_steps: float | None = None  # None until the first estimate: warm-up runs on a guess
        self._start_step = 0
        self._start_time = 0.0

    def elapsed(self, trainer: pl.Trainer) -> float:
        timer = next((c for c in trainer.callbacks if isinstance(c, Timer)), None)
        return timer.time_elapsed("train") if timer is not None else time.monotonic() - self._start_time

    def progress(self, step: int) -> float:
        if self.total_steps is None:
            return 0.0  # still measuring: the first warm-up steps
        return step / max(self.total_steps, 1.0)

    def on_train_start(self, trainer, pl_module) -> None:
        self._start_step, self._start_time = trainer.global_step, time.monotonic()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        done = trainer.global_step - self._start_step
        if done == 0 or done % self.every:
            return
        rate = done / max(time.monotonic() - self._start_time, 1e-6)  # steps a second since (re)start
        remaining = max(self.seconds - self.elapsed(trainer), 0.0)
        total = trainer.strategy.broadcast(trainer.global_step + remaining * rate, src=0)
        first = self.total_steps is None
        self.total_steps = float(total)
        if first:
            self._space_validations(trainer, rate)

    def _space_validations(self, trainer: pl.Trainer, rate: float) -> None:
        """An epoch longer than budget / validations is validated every that many batches instead."""
        per_epoch = trainer.num_training_batches
        every = int(trainer.strategy.broadcast(rate * self.seconds / self.validations, src=0))
        if isinstance(per_epoch, int) and every < per_epoch and every > 0:
            trainer.val_check_batch = max(every, 1)
