"""`task.min_steps`: a task's default length as a minimum number of optimiser steps, not only epochs.

Each task's `trainer.max_epochs` was sized for its synthetic set. A real dataset a tenth that size
would then stop after a tenth of the steps, under-trained (issue "Real data out of the box": 800
spoken digits stopped after one minute). With `task.min_steps` a small dataset trains for more
epochs until it has taken at least that many steps; a dataset as big as the synthetic one or bigger
keeps `trainer.max_epochs`. `budget=`, or `trainer.max_epochs=` typed on the command line, overrides it.
"""
from __future__ import annotations

import logging
import math

log = logging.getLogger(__name__)


def steps_per_epoch(datamodule, accumulate: int = 1, world_size: int = 1) -> int | None:
    """Optimiser steps in one training epoch, or None when the loader has no length (a stream)."""
    try:
        batches = len(datamodule.train_dataloader())
    except TypeError:
        return None
    return max(1, math.ceil(batches / max(1, world_size) / max(1, accumulate)))


def epochs_for(max_epochs: int, min_steps: int | None, per_epoch: int | None) -> int:
    """`max_epochs`, raised so that the run takes at least `min_steps` steps; -1 (no limit) stays."""
    if not min_steps or not per_epoch or max_epochs is None or max_epochs < 0:
        return max_epochs
    needed = math.ceil(min_steps / per_epoch)
    if needed > max_epochs:
        log.info("%d steps per epoch: training %d epochs instead of %d to reach task.min_steps=%d "
                 "(a small dataset; set trainer.max_epochs= or budget= to choose yourself)",
                 per_epoch, needed, max_epochs, min_steps)
        return needed
    return max_epochs
