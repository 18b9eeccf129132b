"""timeline.json in the run dir: validation metrics against wall-clock minutes since the start.

Answers "how good after how long" (the benchmarks read it) without any logger attached.
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytorch_lightning as pl


class Timeline(pl.Callback):
    def __init__(self, run_dir: Path):
        self.path = Path(run_dir) / "timeline.json"
        self.start = time.perf_counter()
        self.rows: list[dict] = []

    def on_fit_start(self, trainer, pl_module) -> None:
        if trainer.ckpt_path and self.path.is_file():  # a resumed run continues its timeline; a fresh one starts anew
            self.rows = json.loads(self.path.read_text())
            self.start -= self.rows[-1]["minutes"] * 60 if self.rows else 0

    def on_validation_end(self, trainer: pl.Trainer, pl_module) -> None:
        if trainer.sanity_checking or not trainer.is_global_zero:
            return
        metrics = {k: round(float(v), 4) for k, v in trainer.callback_metrics.items() if k.startswith("val/")}
        self.rows.append({"minutes": round((time.perf_counter() - self.start) / 60, 3), "epoch": trainer.current_epoch,
                          "step": trainer.global_step, **metrics})
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.rows, indent=1) + "\n")
        os.replace(tmp, self.path)
