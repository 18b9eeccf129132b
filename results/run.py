"""`make results [TASK=name]`: train each task's result runs, write results/<task>.json, refresh the tables.

What a task runs is declared beside it, in `tasks/<task>/results.yaml`:

    runs:
      - name: default                       # the row label
        overrides: []                       # suite-train overrides after task=<task>
        keys: [test/acc, test/acc_kmer]     # metrics.json keys shown in the README tables
        requires: dna/promoters/train.csv   # optional: a file under ../shared/data; skipped when absent
        group: promoters                    # optional: shown in <!-- results:<task>/<group> --> instead
        curve: [val/acc]                    # optional: the rows of <!-- results:<task>/<run>/curve -->

`{shared}` in an override is replaced by the shared-data folder. Every run is a real `suite-train`
subprocess (seed 42, CSV logger, one run dir per run under results/_runs/, which is not committed),
so a figure here is what a user's command prints. results/<task>.json keeps the command, minutes,
every metric, the validation curve against minutes, the machine, the torch version and the commit.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
SHARED = ROOT.parent / "shared" / "data"  # the real data beside the repository (never committed)


def plan(task: str) -> list[dict]:
    path = ROOT / "tasks" / task / "results.yaml"
    if not path.is_file():
        raise SystemExit(f"error: {path.relative_to(ROOT)} is missing; declare the task's result runs there (see results/run.py)")
    runs = (yaml.safe_load(path.read_text()) or {}).get("runs") or []
    for run in runs:
        if not {"name", "keys"} <= set(run):
            raise SystemExit(f"error: {path.relative_to(ROOT)}: each run needs `name` and `keys`; got {run}")
    return runs


def tasks_with_plans() -> list[str]:
    return sorted(p.parent.name for p in (ROOT / "tasks").glob("*/results.yaml"))


def provenance() -> dict:
    """Commit, uncommitted changes to the code a training run executes, date, machine, torch, load average."""
    from benchmarks.common import DOCS, provenance as code_provenance

    return code_provenance(("suite", "tasks", "conf", DOCS))


def command(task: str, run: dict, run_dir: Path, threads: int | None) -> list[str]:
    overrides = [str(o).replace("{shared}", str(SHARED)) for o in run.get("overrides", [])]
    extra = [f"threads={threads}"] if threads else []
    # the default seed (42) and the CSV logger: reproducible and offline
    return [str(Path(sys.executable).parent / "suite-train"), f"task={task}", *overrides, "logger=csv", *extra,
            "print_config=false", f"run_dir={run_dir}", f"hydra.run.dir={run_dir}"]


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def train(task: str, run: dict, threads: int | None) -> dict:
    requires = run.get("requires")
    if requires and not (SHARED / requires).exists():
        return {"skipped": f"needs ../shared/data/{requires}, which is not on this machine"}
    run_dir = RESULTS / "_runs" / task / run["name"]
    shutil.rmtree(run_dir, ignore_errors=True)
    cmd = command(task, run, run_dir, threads)
    shown = " ".join(["suite-train", *cmd[1:-3]]).replace(str(SHARED), "../shared/data")
    print(f"[results] {task}/{run['name']}: {shown}", flush=True)
    start, cpu_start = time.perf_counter(), _children_cpu_seconds()
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    minutes = round((time.perf_counter() - start) / 60, 2)
    # CPU minutes do not grow when other jobs share the machine; wall minutes do
    cpu_minutes = round((_children_cpu_seconds() - cpu_start) / 60, 2)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["(no output)"]
        print(f"[results] {task}/{run['name']} FAILED (exit {done.returncode}): {tail[0]}", flush=True)
        return {"command": shown, "failed": tail[0], "exit": done.returncode}
    metrics = json.loads((run_dir / "metrics.json").read_text())
    timeline = run_dir / "timeline.json"
    curve = json.loads(timeline.read_text()) if timeline.is_file() else []
    print(f"[results] {task}/{run['name']}: {minutes} min ({cpu_minutes} CPU), "
          + ", ".join(f"{k}={metrics[k]:.4g}" for k in run["keys"] if k in metrics), flush=True)
    return {"command": shown, "minutes": minutes, "cpu_minutes": cpu_minutes, "keys": run["keys"],
            "metrics": {k: round(float(v), 4) for k, v in sorted(metrics.items())},
            "val_vs_minutes": [{k: v for k, v in row.items()} for row in curve]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", action="append", help="only this task (repeatable); default: every task")
    parser.add_argument("--run", action="append", help="only runs of this name (repeatable)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads per run (default: torch's choice)")
    parser.add_argument("--tables-only", action="store_true", help="only rewrite the README tables from results/*.json")
    args = parser.parse_args(argv)
    from results.tables import write_all

    if not args.tables_only:
        for task in args.task or tasks_with_plans():
            runs = [r for r in plan(task) if not args.run or r["name"] in args.run]
            path = RESULTS / f"{task}.json"
            for run in runs:
                result = train(task, run, args.threads)
                measured = provenance()  # after the run: the load average it ran under
                if args.threads:  # the run's own thread count, not this parent process's
                    measured["torch_threads"] = args.threads
                result["provenance"] = measured
                # read the file again: another `make results` may have written other runs meanwhile
                old = json.loads(path.read_text()) if path.is_file() else {}
                record = {"task": task, **measured, "runs": {**old.get("runs", {}), run["name"]: result}}
                order = [r["name"] for r in plan(task)]  # runs no longer declared are dropped
                record["runs"] = {name: record["runs"][name] for name in order if name in record["runs"]}
                path.write_text(json.dumps(record, indent=1) + "\n")  # after each run: a stopped batch keeps what it did
    write_all()


if __name__ == "__main__":
    main()
