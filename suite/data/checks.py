"""Checks of data settings shared by every task's readers: one clear line naming the fix."""
from __future__ import annotations

import os
from pathlib import Path

from suite.errors import UserError


def check_root(root, holding: str) -> Path:
    """data.root as an absolute folder path, or a UserError saying what to set."""
    if root in (None, ""):
        raise UserError(f"data.root is not set: set data.root=<folder holding {holding}>")
    path = Path(os.path.abspath(os.path.expanduser(str(root))))
    if not path.is_dir():
        what = "is not a folder" if path.exists() else "does not exist"
        raise UserError(f"data.root '{root}' {what}: set data.root=<folder holding {holding}>")
    return path


def check_fractions(**fractions) -> None:
    """Split fractions (data.val_fraction=...) must each be in [0, 1) and sum below 1."""
    for key, f in fractions.items():
        if not 0 <= f < 1:
            raise UserError(f"data.{key}={f} is not a fraction in [0, 1): set e.g. data.{key}=0.05")
    if sum(fractions.values()) >= 1:
        raise UserError(f"{' + '.join(f'data.{k}' for k in fractions)} must be below 1: lower them")
