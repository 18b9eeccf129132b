"""Generate a synthetic dataset once, safely: cached, locked across processes, atomic.

`build_once(root, params, build, marker=...)` leaves `root` holding a complete dataset made with
`params`. A `.complete` stamp holds the parameters, so a second call (or another DDP rank) reads
the cache; other parameters regenerate. `build` writes into a fresh temporary sibling which is
renamed into place, so a crash never leaves a half dataset at `root`, and the previous dataset
stays until the new one is whole. A folder that is neither empty nor a generated dataset (no
stamp, no `marker` file) is never replaced.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from suite.errors import UserError

STAMP = ".complete"  # written last, holding the parameters: its presence means "finished"


def split_sizes(data: dict) -> dict:
    """The keyword arguments every synthetic generator takes from its data config."""
    return {"n_train": int(data["n_train"]), "n_val": int(data["n_val"]), "n_test": int(data["n_test"]),
            "seed": int(data.get("seed", 0))}


def is_complete(root: Path, params: dict, marker: str) -> bool:
    """Whether `root` holds a finished dataset generated with exactly `params`."""
    try:
        same = json.loads((root / STAMP).read_text()) == params
    except (OSError, ValueError):
        return False
    return same and (root / marker).is_file()


def _is_ours(root: Path, marker: str) -> bool:
    """A folder we may replace: one we generated before (any parameters), or an empty one."""
    return root.is_dir() and (
        (root / STAMP).exists() or (root / marker).exists() or not any(root.iterdir())
    )


def build_once(root: str | Path, params: dict, build: Callable[[Path], None], *, marker: str) -> Path:
    """Ensure `root` holds a complete dataset generated with `params`; `build(tmp_dir)` writes it.

    `params` must be JSON-serialisable (include a generator version: bumping it regenerates);
    `marker` names a file `build` always writes, which identifies a generated dataset. Safe to
    call from every rank at once: one builds, the others wait on a lock beside `root`.
    Returns `root` as an absolute path.
    """
    root = Path(root).absolute()
    params = json.loads(json.dumps(params))  # compare as the stamp will read back (tuples -> lists)
    if is_complete(root, params, marker):
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f".{root.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also on a crash
        if is_complete(root, params, marker):  # another process built it while we waited
            return root
        if root.exists() and not _is_ours(root, marker):
            raise UserError(
                f"{root} exists and is not a generated dataset (no {marker}); point data.root elsewhere"
            )
        tmp = Path(tempfile.mkdtemp(prefix=f".{root.name}.tmp-", dir=root.parent))
        tmp.chmod(0o755)  # mkdtemp makes it private; others on a shared cluster read it too
        try:
            build(tmp)
            if not (tmp / marker).is_file():
                raise RuntimeError(f"the dataset builder wrote no {marker}")
            (tmp / STAMP).write_text(json.dumps(params))
            if root.exists():  # an older version or other parameters: swap it out
                old = Path(tempfile.mkdtemp(prefix=f".{root.name}.old-", dir=root.parent))
                os.replace(root, old / "dataset")
                os.replace(tmp, root)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, root)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)  # only still there if building failed
    return root
