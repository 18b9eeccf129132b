"""Run the console scripts the way a user does, each in a process of its own.

A fresh interpreter pays ~8 s importing torch and Lightning (Lightning imports torchmetrics, which
imports torchvision, torchaudio, scipy.signal and matplotlib), and the CLI tests start ~100 of
them. So `run` forks each one from a fork server that imported those once (multiprocessing's
forkserver with preloaded modules): the child is still a new process with its own exit code,
stdout/stderr, working directory, environment and sys.argv, and it never inherits a used thread
pool (the server computes nothing). SUITE_TEST_SUBPROCESS=1 runs real `subprocess`es instead.
"""
from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BIN = Path(sys.executable).parent
# what the console scripts import before they parse their arguments
PRELOAD = ["torch", "pytorch_lightning", "hydra", "omegaconf", "suite.engine", "suite.predict", "suite.evaluate"]
_SERVER: multiprocessing.context.BaseContext | None = None


def _forkserver():
    global _SERVER
    if _SERVER is None:
        _SERVER = multiprocessing.get_context("forkserver")
        _SERVER.set_forkserver_preload(PRELOAD)
    return _SERVER


def _console_script(script: str, args: list[str], cwd: str, env: dict, out: str, err: str) -> None:
    """In the forked child: become `script args` in `cwd` with `env`, stdout/stderr into files."""
    import io
    from importlib.metadata import entry_points

    for fd, path in ((1, out), (2, err)):
        os.dup2(os.open(path, os.O_WRONLY | os.O_TRUNC), fd)
    sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), line_buffering=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), line_buffering=True)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.argv = [str(BIN / script), *args]
    (entry,) = entry_points(group="console_scripts", name=script)
    entry.load()()


def _forked(cmd: list[str], cwd, env: dict, timeout: int) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as tmp:
        out, err = os.path.join(tmp, "out"), os.path.join(tmp, "err")
        for path in (out, err):
            open(path, "w").close()
        child = _forkserver().Process(target=_console_script,
                                      args=(Path(cmd[0]).name, cmd[1:], str(cwd or os.getcwd()), env, out, err))
        child.start()
        child.join(timeout)
        if child.exitcode is None:
            child.kill()
            child.join()
            raise subprocess.TimeoutExpired(cmd, timeout)
        read = lambda path: Path(path).read_text(encoding="utf-8", errors="replace")  # noqa: E731
        return subprocess.CompletedProcess(cmd, child.exitcode, read(out), read(err))


def run(script: str, *args: str, cwd=None, timeout: int = 300, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, HYDRA_FULL_ERROR="0")  # as a user's shell would have it
    env.pop("HYDRA_FULL_ERROR")
    cmd = [str(BIN / script), *map(str, args)]
    if os.environ.get("SUITE_TEST_SUBPROCESS") == "1":
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    else:
        proc = _forked(cmd, cwd, env, timeout)
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
