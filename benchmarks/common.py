"""Shared benchmark plumbing: compose the real config, describe the machine and the code, merge results files."""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from pathlib import Path

import torch

RESULTS_JSON = Path(__file__).parent / "results.json"
ROOT = Path(__file__).resolve().parent.parent
# the code a benchmark runs; its own output files change as it runs, so they do not count
DOCS = ":(exclude,glob)**/*.md"  # READMEs are not code: make bench and make results rewrite their tables themselves
BENCH_CODE = ("suite", "tasks", "conf", "benchmarks", ":(exclude)benchmarks/results.*", DOCS)


def compose(overrides: list[str], run_dir: Path):
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    from suite.config import CONF_DIR

    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        return hydra_compose("train", overrides=[*overrides, f"run_dir={run_dir}"])


def run_summary(run_dir: Path, monitor: str, keep: tuple[str, ...]) -> dict:
    """A finished run's monitor-against-minutes curve (timeline.json) and its metrics.json figures
    whose names contain one of `keep` (4 decimals: WER and CER are small fractions)."""
    timeline = json.loads((run_dir / "timeline.json").read_text())
    curve = [{"minutes": r["minutes"], "epoch": r["epoch"], monitor: r[monitor]} for r in timeline]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    return {f"{monitor.split('/')[-1]}_vs_minutes": curve,
            **{k: round(v, 4) for k, v in metrics.items() if any(word in k for word in keep)}}


def _cpu_name() -> str:
    info = Path("/proc/cpuinfo")
    lines = info.read_text().splitlines() if info.is_file() else []
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return names[0] if names else platform.processor() or platform.machine()


def machine() -> dict:
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"{_cpu_name()} ({os.cpu_count()} cores)"
    return {"device": device, "torch_threads": torch.get_num_threads(), "torch": torch.__version__}


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def provenance(paths: tuple[str, ...] = BENCH_CODE) -> dict:
    """Which code and machine produced a figure: the commit, whether tracked files under `paths` had
    uncommitted changes, the date, device, torch, and the load average when the measurement started."""
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no", "--", *paths))
    return {"commit": _git("rev-parse", "--short=12", "HEAD") or "unknown (not a git checkout)",
            "code_changed_since_commit": dirty, "date": dt.date.today().isoformat(), **machine(),
            "load_average_1min": round(os.getloadavg()[0], 2)}  # other jobs on the machine slow every figure


def save(key: str, result: dict) -> None:
    """Merge one task's figures into results.json; rewrite results.md and the READMEs' bench blocks
    from the whole file."""
    from benchmarks.readme import write_blocks
    from benchmarks.report import write_markdown

    results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.is_file() else {}
    results[key] = result
    RESULTS_JSON.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    write_markdown(results)
    write_blocks(results)
