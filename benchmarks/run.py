"""`make bench`: every task benchmark, results merged into benchmarks/results.{json,md}.

Each task trains its default recipe once into benchmarks/_work/<task>/ (on 2 cores: captioning about
8 minutes, activity about 6, speech about 6, translation about 5; kept for later calls), then
measures throughput and decoding.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

WORK = Path(__file__).parent / "_work"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tasks", default="captioning,activity,speech,translation", help="comma-separated task names")
    args = parser.parse_args()
    from benchmarks.common import compose
    from suite.engine import train

    for task in args.tasks.split(","):
        run_dir = WORK / task
        if not (run_dir / "metrics.json").is_file():
            train(compose([f"task={task}", "logger=csv", "trainer.enable_progress_bar=false"], run_dir))
        bench = importlib.import_module(f"benchmarks.{task}")
        sys.argv = [sys.argv[0], "--run", str(run_dir)]
        bench.main()
