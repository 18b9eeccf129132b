"""DataLoader worker and memory settings read from a task's data config, the same way for every task.

Keys (all optional, so data configs stored in old checkpoints still load):
  num_workers          loader processes; absent -> 0 (in-process: the synthetic data needs none)
  pin_memory           true | false | auto; absent or auto -> true only when CUDA is available
                       (page-locked batches make the host-to-GPU copy asynchronous; on a CPU run
                       pinning only costs memory)
  persistent_workers   true | false | auto; absent or auto -> true when num_workers > 0 (workers,
                       and any per-worker caches, live across epochs instead of restarting each
                       epoch); ignored when num_workers is 0: there is no worker to keep
"""
from __future__ import annotations

import torch

from suite.errors import UserError

AUTO = "auto"


def _switch(data: dict, key: str, auto: bool) -> bool:
    """true/false as given, `auto` (or absent / null) -> `auto`'s value."""
    value = data.get(key, AUTO)
    if value is None or value == AUTO:
        return auto
    if isinstance(value, bool):
        return value
    raise UserError(f"data.{key}={value} is not a switch: set data.{key}=true, false or auto")


def loader_kwargs(data: dict) -> dict:
    """`data` config -> num_workers, pin_memory and persistent_workers for torch's DataLoader."""
    workers = data.get("num_workers")
    workers = 0 if workers is None else workers
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise UserError(f"data.num_workers={workers} is not a worker count: set data.num_workers=0 (load in the "
                        "training process) or a positive number of loader processes")
    return {
        "num_workers": workers,
        "pin_memory": _switch(data, "pin_memory", torch.cuda.is_available()),
        "persistent_workers": workers > 0 and _switch(data, "persistent_workers", True),
    }
