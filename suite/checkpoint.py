"""Safe checkpoint reading: always torch.load(weights_only=True), one clear line on failure."""
from __future__ import annotations

import os
import pickle
from pathlib import Path

import torch
from pytorch_lightning.plugins.io import TorchCheckpointIO

from suite.config import checkpoint_file
from suite.errors import UserError


def read_checkpoint(path) -> dict:
    """The checkpoint dict; refuses files that would need to unpickle arbitrary objects."""
    path = checkpoint_file(path)
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:
        raise UserError(f"refusing checkpoint '{path}': it holds pickled objects that could run code "
                        f"({str(e).splitlines()[0][:160]}); only load checkpoints written by suite") from e
    except (RuntimeError, EOFError, OSError, ValueError) as e:
        raise UserError(f"cannot read checkpoint '{path}': {str(e).splitlines()[0][:160]} (is it a complete .ckpt file?)") from e
    if not isinstance(ckpt, dict) or "suite" not in ckpt or "state_dict" not in ckpt:
        raise UserError(f"'{path}' is not a suite checkpoint: pass a .ckpt from a run's checkpoints/ folder")
    return ckpt


def load_module(path, task):
    """The task's LightningModule restored from `path` (eval mode, CPU)."""
    module = task.module_class.load_from_checkpoint(str(path), map_location="cpu", weights_only=True)
    return module.eval()


class AtomicCheckpointIO(TorchCheckpointIO):
    """Writes each checkpoint to a temporary file beside it and renames it into place, so a kill
    during a save leaves the previous checkpoint whole (Lightning's own save may stage the file in
    /tmp and copy it across file systems, which is not atomic)."""

    def save_checkpoint(self, checkpoint: dict, path, storage_options=None) -> None:
        path = Path(str(path))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        try:
            with open(tmp, "wb") as f:
                torch.save(checkpoint, f)
                f.flush()
                os.fsync(f.fileno())  # the bytes are on disk before the name points at them
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
