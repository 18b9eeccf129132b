"""`make bench`: every core task's benchmark, each in its own process (so peak memory is its own),
results merged into benchmarks/results.{json,md}.

Each task first trains its default recipe briefly (1 epoch; speech 4) into benchmarks/_work/ (kept:
a second call only measures), then measures on those weights; benchmarks.lstm_sizes adds the fused
LSTM's speed against layer size. On the idle 2-core CPU all eight tasks and lstm_sizes took about
11 minutes (2026-11-26, each task's seconds are printed as it ends). `--epochs 0` trains each recipe
in full first and adds the quality-against-minutes curves (`make results` records them for every
task too); `--trainer gpu` measures bf16-mixed on a GPU.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time

TASKS = ("captioning", "activity", "speech", "translation", "dna", "music", "summarization", "dialogue")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tasks", default=",".join(TASKS), help="comma-separated task names")
    parser.add_argument("--epochs", help="epochs trained before measuring (default: each task's own; 0: the whole recipe)")
    parser.add_argument("--trainer", default="cpu", help="cpu | gpu (bf16-mixed)")
    args = parser.parse_args()
    failed = []
    for task in args.tasks.split(","):
        start = time.perf_counter()
        epochs = ["--epochs", args.epochs] if args.epochs else []
        code = subprocess.call([sys.executable, "-m", f"benchmarks.{task}", *epochs, "--trainer", args.trainer])
        print(f"benchmarks.{task}: exit {code} after {time.perf_counter() - start:.0f} s", flush=True)
        if code:
            failed.append(task)
    if subprocess.call([sys.executable, "-m", "benchmarks.lstm_sizes"]):
        failed.append("lstm_sizes")
    if failed:
        sys.exit(f"benchmarks failed: {', '.join(failed)} (their output is above)")


if __name__ == "__main__":
    main()
