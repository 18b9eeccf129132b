"""Tasks declare themselves; suite finds them.

Each package under `tasks/` exports `TASK = Task(...)` in its `__init__.py`, naming its datamodule,
module and predict function as "module:attribute" strings (resolved on first use, so listing the
tasks imports no model code). The set of tasks is the fixed local set of packages found there; a
checkpoint stores only the task *name*, so loading one never imports code named inside it.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache
from typing import Callable

from suite.errors import UserError


def _resolve(ref: str):
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


@dataclass(frozen=True)
class Task:
    name: str
    datamodule: str  # "tasks.<name>.datamodule:ClassName": a SuiteDataModule
    module: str  # a SuiteModule
    predict: str  # predict(module, cfg) -> list[dict] (each with a "text" to print)
    input_optional: bool = False  # True when predict works without cfg.input (charlm samples from a prompt)

    @property
    def datamodule_class(self) -> type:
        return _resolve(self.datamodule)

    @property
    def module_class(self) -> type:
        return _resolve(self.module)

    @property
    def predict_fn(self) -> Callable:
        return _resolve(self.predict)


@cache
def all_tasks() -> dict[str, Task]:
    """name -> Task for every package under tasks/ that declares one."""
    import tasks

    found = {}
    for info in pkgutil.iter_modules(tasks.__path__):
        if info.ispkg:
            declared = getattr(importlib.import_module(f"tasks.{info.name}"), "TASK", None)
            if isinstance(declared, Task):
                found[declared.name] = declared
    return found


def get_task(name: str) -> Task:
    known = all_tasks()
    if name not in known:
        raise UserError(f"unknown task '{name}': use one of task={','.join(sorted(known))}")
    return known[name]
