"""Run the console scripts the way a user does, in a subprocess."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent


def run(script: str, *args: str, cwd=None, timeout: int = 300, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, HYDRA_FULL_ERROR="0")  # as a user's shell would have it
    env.pop("HYDRA_FULL_ERROR")
    proc = subprocess.run([str(BIN / script), *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{script} {' '.join(map(str, args))} failed ({proc.returncode}):\n"
                             f"{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return proc


def error_line(proc: subprocess.CompletedProcess) -> str:
    """The user-facing error: exactly one non-empty stderr line."""
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]
