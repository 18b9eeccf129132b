"""One line at the end of every run: was the monitored metric still improving?

Compares the best value of the last `window` validations with the best before them. A metric that
still moved by more than `threshold` (relative) says the run stopped early, and how to give it more.
"""
from __future__ import annotations

import logging

import pytorch_lightning as pl

log = logging.getLogger(__name__)


def trend_line(values: list[float], monitor: str, mode: str, window: int = 3, threshold: float = 0.02,
               more: str = "raise budget= (or trainer.max_epochs=)") -> str | None:
    """The sentence for a history of monitored values, oldest first (None: too few validations)."""
    if len(values) <= window:
        return None
    best = min if mode == "min" else max
    before, recent = best(values[:-window]), best(values[-window:])
    gain = (before - recent) if mode == "min" else (recent - before)
    relative = gain / max(abs(before), 1e-12)
    if relative > threshold:
        return (f"{monitor} improved {relative:.0%} over the last {window} validations: the run may be "
                f"under-trained; {more}")
    return f"{monitor} changed {max(relative, 0.0):.1%} over the last {window} validations: it has levelled off"


class Convergence(pl.Callback):
    def __init__(self, monitor: str, mode: str, more: str = "raise budget= (or trainer.max_epochs=)"):
        self.monitor, self.mode, self.more = monitor, mode, more
        self.values: list[float] = []
        self.line: str | None = None

    def on_validation_end(self, trainer: pl.Trainer, pl_module) -> None:
        value = trainer.callback_metrics.get(self.monitor)
        if value is not None and not trainer.sanity_checking:
            self.values.append(float(value))

    def on_fit_end(self, trainer: pl.Trainer, pl_module) -> None:
        self.line = trend_line(self.values, self.monitor, self.mode, more=self.more)
        if self.line and trainer.is_global_zero:
            log.warning(self.line) if "under-trained" in self.line else log.info(self.line)

    def state_dict(self) -> dict:
        return {"values": self.values}  # a resumed run judges its whole history

    def load_state_dict(self, state: dict) -> None:
        self.values = list(state.get("values", []))
