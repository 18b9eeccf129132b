"""Task name -> the task package's DataModule, LightningModule and predict function.

The checkpoint stores only the task *name*; the classes come from this fixed table, so loading a
checkpoint never imports code named inside it.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from suite.errors import UserError

TASKS = {
    "captioning": "tasks.captioning",
    "activity": "tasks.activity",
    "speech": "tasks.speech",
    "translation": "tasks.translation",
    "sentiment": "tasks.sentiment",
    "charlm": "tasks.charlm",
    "ner": "tasks.ner",
    "forecast": "tasks.forecast",
    "roommate": "tasks.roommate",
}


@dataclass(frozen=True)
class Task:
    name: str
    datamodule: type
    module: type
    predict: Callable  # predict(module, cfg) -> list[dict]
    input_optional: bool = False  # True when predict works without cfg.input (charlm samples from a prompt)


def get_task(name: str) -> Task:
    if name not in TASKS:
        raise UserError(f"unknown task '{name}': use one of task={','.join(sorted(TASKS))}")
    pkg = TASKS[name]
    dm = importlib.import_module(f"{pkg}.datamodule")
    mod = importlib.import_module(f"{pkg}.module")
    pred = importlib.import_module(f"{pkg}.predict")
    return Task(name, dm.DataModule, mod.Module, pred.predict, getattr(pred, "INPUT_OPTIONAL", False))
