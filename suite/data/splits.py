"""What a task's reader hands the data-module base: three splits, the items it dropped, notes."""
from __future__ import annotations

from dataclasses import dataclass, field

SPLITS = ("train", "val", "test")


@dataclass
class Splits:
    train: list
    val: list = field(default_factory=list)
    test: list = field(default_factory=list)  # empty: the data has no test split
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (item, reason) dropped while reading
    uncounted: int = 0  # more items dropped, already described in the notes (a count without names)
    notes: list[str] = field(default_factory=list)  # said once in the log (e.g. "val carved from train")
