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


def trained_checkpoint(tmp_path_factory, *overrides: str) -> Path:
    """suite-train with these overrides in a fresh folder -> its last.ckpt (for module-scoped fixtures)."""
    run_dir = tmp_path_factory.mktemp("cli") / "run"
    run("suite-train", *overrides, f"hydra.run.dir={run_dir}")
    return run_dir / "checkpoints" / "last.ckpt"


def assert_eval_reproduces(ckpt: Path, out_dir: Path, metric: str, tolerance: float = 1e-6) -> None:
    """suite-eval of the checkpoint alone prints the test metric the training run wrote."""
    import json

    import pytest

    proc = run("suite-eval", f"ckpt_path={ckpt}", f"hydra.run.dir={out_dir}", "trainer.enable_progress_bar=false")
    printed = json.loads(proc.stdout[proc.stdout.index("{"):])
    written = json.loads((ckpt.parent.parent / "metrics.json").read_text())
    assert printed[metric] == pytest.approx(written[metric], abs=tolerance)


def kill_after_first_checkpoint(args: list[str], cwd: Path, task: str, wait: float = 0.5) -> Path:
    """Start suite-train, SIGKILL it `wait` seconds after its first last.ckpt appears (no warning, as a
    crash or a pre-empted node would) -> that checkpoint."""
    import signal
    import time

    proc = subprocess.Popen([str(BIN / "suite-train"), *args], cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline, last = time.time() + 240, None
    while time.time() < deadline and last is None:
        found = list(Path(cwd).glob(f"outputs/{task}/*/checkpoints/last.ckpt"))
        last = found[0] if found else None
        time.sleep(0.05)
    if last is not None:
        time.sleep(wait)  # let the save finish (and, with a longer wait, train on)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert last is not None, "no checkpoint appeared"
    time.sleep(1.1)  # a new Hydra run dir for the next start (timestamped to the second)
    return last
