"""Bad items inside a dataset are skipped and counted, not fatal (unless data.strict=true).

A dataset returns `Skipped` instead of an item; `drop_skipped` removes those in the collate and
hands their names to the batch, and the module's `SkipLedger` warns once per epoch with the count.
Works the same with loader workers and under DDP, since the names travel with the batch.
"""
from __future__ import annotations

import logging
from typing import NamedTuple

log = logging.getLogger(__name__)


class Skipped(NamedTuple):  # a tuple, so Lightning can move batches holding it between devices
    path: str
    reason: str


def drop_skipped(items: list) -> tuple[list, list[Skipped]]:
    kept = [it for it in items if not isinstance(it, Skipped)]
    return kept, [it for it in items if isinstance(it, Skipped)]


class SkipLedger:
    """Remembers every skipped file once; `flush` warns about the ones not reported yet."""

    def __init__(self, what: str = "items"):
        self.what = what
        self.seen: dict[str, str] = {}
        self._reported = 0

    def add(self, skipped: list[Skipped]) -> None:
        for s in skipped:
            self.seen.setdefault(s.path, s.reason)

    @property
    def count(self) -> int:
        return len(self.seen)

    def flush(self) -> None:
        new = list(self.seen.items())[self._reported:]
        if not new:
            return
        self._reported = len(self.seen)
        examples = "; ".join(f"{p} ({r})" for p, r in new[:3])
        log.warning("skipped %d unreadable %s (%d in total so far), e.g. %s; set data.strict=true to fail instead",
                    len(new), self.what, self.count, examples)


def warn_missing(paths: list[str], what: str = "files") -> None:
    """One warning for files listed by a dataset but absent on disk."""
    if paths:
        log.warning("skipped %d %s listed in the dataset but missing on disk, e.g. %s; "
                    "set data.strict=true to fail instead", len(paths), what, ", ".join(paths[:3]))
