"""Shared benchmark plumbing: compose the real config, time things, merge results files."""
from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

import torch

RESULTS_JSON = Path(__file__).parent / "results.json"
RESULTS_MD = Path(__file__).parent / "results.md"


def compose(overrides: list[str], run_dir: Path):
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir

    from suite.config import CONF_DIR

    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        return hydra_compose("train", overrides=[*overrides, f"run_dir={run_dir}"])


def validation_batches(ckpt: Path, task_name: str):
    """The checkpoint's module (eval mode) and its own validation batches, read with its own settings."""
    from suite.checkpoint import load_module
    from suite.registry import get_task

    task = get_task(task_name)
    module = load_module(ckpt, task)
    dm = task.datamodule(dict(module.hparams["meta"]["data"]), vocab=module.hparams["meta"]["vocab"])
    dm.setup("validate")
    return module, list(dm.val_dataloader())


def run_summary(run_dir: Path, monitor: str, keep: tuple[str, ...]) -> dict:
    """A finished run's monitor-against-minutes curve (timeline.json) and its metrics.json figures
    whose names contain one of `keep` (4 decimals: WER and CER are small fractions)."""
    timeline = json.loads((run_dir / "timeline.json").read_text())
    curve = [{"minutes": r["minutes"], "epoch": r["epoch"], monitor: r[monitor]} for r in timeline]
    metrics = json.loads((run_dir / "metrics.json").read_text())
    return {f"{monitor.split('/')[-1]}_vs_minutes": curve,
            **{k: round(v, 4) for k, v in metrics.items() if any(word in k for word in keep)}}


def best_checkpoint(run_dir: Path) -> Path:
    return next((run_dir / "checkpoints").glob("best-*.ckpt"))


def timed(fn, repeat: int = 3) -> float:
    """Best of `repeat` wall-clock seconds (the least disturbed run)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _cpu_name() -> str:
    info = Path("/proc/cpuinfo")
    lines = info.read_text().splitlines() if info.is_file() else []
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return names[0] if names else platform.processor() or platform.machine()


def machine() -> dict:
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"{_cpu_name()} ({os.cpu_count()} cores)"
    return {"device": device, "torch_threads": torch.get_num_threads(), "torch": torch.__version__}


def save(key: str, result: dict) -> None:
    results = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.is_file() else {}
    results[key] = result
    RESULTS_JSON.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    lines = ["# Benchmark results", "", "Written by `make bench`; numbers from the machine named in each section.", ""]
    for name, res in sorted(results.items()):
        lines += [f"## {name}", "", "| figure | value |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in res.items() if not isinstance(v, (list, dict))]
        for k, v in res.items():
            if isinstance(v, list) and v and isinstance(v[0], dict):
                cols = list(v[0])
                lines += ["", f"{k}:", "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
                lines += ["| " + " | ".join(str(row.get(c, "")) for c in cols) + " |" for row in v]
        lines.append("")
    RESULTS_MD.write_text("\n".join(lines))
