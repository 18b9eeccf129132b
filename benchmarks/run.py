"""`make bench`: every task benchmark, results merged into benchmarks/results.{json,md}.

Captioning trains the default recipe once (about 8 minutes on 2 cores) into benchmarks/_work/
unless `ARGS="--run DIR"` names a finished default run to measure instead.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

WORK = Path(__file__).parent / "_work"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run", type=Path, help="a finished default captioning run dir to measure")
    args = parser.parse_args()
    run_dir = args.run
    if run_dir is None:
        from benchmarks.common import compose
        from suite.engine import train

        run_dir = WORK / "captioning"
        if not (run_dir / "metrics.json").is_file():
            train(compose(["task=captioning", "logger=csv", "trainer.enable_progress_bar=false"], run_dir))
    from benchmarks import captioning

    sys.argv = [sys.argv[0], "--run", str(run_dir)]
    captioning.main()


if __name__ == "__main__":
    main()
