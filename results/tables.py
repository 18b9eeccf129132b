"""README tables generated from results/<task>.json, between markers, so no figure is typed by hand.

A task README holds `<!-- results:<task> -->` ... `<!-- /results:<task> -->`: one row per result run.
A run declared with `group: <name>` (a sweep: seeds, ablations) is shown in `<!-- results:<task>/<name> -->`
instead, so a README can put it beside the text that discusses it. `<!-- results:<task>/<run>/curve -->` shows
that run's validation metrics against wall-clock minutes (the run's timeline.json): the run's `curve:` keys
in results.yaml, else its `val/` keys, else every `val/` metric but the loss.
The top README holds `<!-- results:all -->` ... `<!-- /results:all -->`: one row per task run outside groups.
`write_all()` rewrites every block and results/README.md; `stale_blocks()` (the test) lists the
blocks that disagree with the files.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
BLOCK = re.compile(r"(<!-- results:(?P<name>[\w/-]+) -->\n)(?P<body>.*?)(<!-- /results:(?P=name) -->)", re.S)


def declared(task: str) -> dict[str, dict]:
    """Run name -> its declaration in tasks/<task>/results.yaml (a run declared after the file was written
    shows as not run)."""
    from results.run import plan

    if not (ROOT / "tasks" / task / "results.yaml").is_file():
        return {}
    return {run["name"]: run for run in plan(task)}


def load() -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))}


def _value(value: float) -> str:
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"  # fractions, nats, bpc | BLEU, ROUGE, RMSE


def _minutes(run: dict) -> str:
    """Wall-clock minutes, then CPU minutes (all processes of the run): the wall clock grows when other
    jobs share the machine (each file records the load average), the CPU time much less."""
    cpu = run.get("cpu_minutes")
    return f"{run['minutes']:.1f}" + (f" ({cpu:.1f})" if cpu is not None else "")


def _state(run: dict) -> str | None:
    if run.get("pending"):
        return "not run yet on this machine"
    if "skipped" in run:
        return f"skipped: {run['skipped']}"
    if "failed" in run:
        return f"failed: {run['failed']}"
    return None


def task_table(record: dict, group: str | None = None) -> str:
    """The runs of one group (None: the runs outside groups), in the order results.yaml declares them."""
    plan = declared(record["task"])
    runs = {name: record["runs"].get(name, {"pending": True, "keys": run["keys"]})
            for name, run in plan.items() if run.get("group") == group}
    runs.update({name: run for name, run in record["runs"].items() if name not in plan and group is None})
    # the columns results.yaml declares now (a key added after a run is read from its full metrics)
    runs = {name: {**run, "keys": plan[name]["keys"]} if name in plan else run for name, run in runs.items()}
    keys = list(dict.fromkeys(k for run in runs.values() for k in run.get("keys", [])))
    lines = ["| run | command | minutes (CPU) | " + " | ".join(f"`{k}`" for k in keys) + " |",
             "|---|---|---|" + "---|" * len(keys)]
    for name, run in runs.items():
        state = _state(run)
        if state:
            lines.append(f"| {name} | {state} | - |" + " - |" * len(keys))
            continue
        cells = [_value(run["metrics"][k]) if k in run["metrics"] else "-" for k in keys]
        lines.append(f"| {name} | `{run['command']}` | {_minutes(run)} | " + " | ".join(cells) + " |")
    commits = sorted({run["provenance"]["commit"] for run in runs.values() if "provenance" in run})
    lines.append("")
    source = f"commit {', '.join(commits)}, torch {record['torch']}, {record['device']}" if commits else "none run yet"
    lines.append(f"From `results/{record['task']}.json` (`make results TASK={record['task']}`; {source}).")
    return "\n".join(lines) + "\n"


def curve_table(record: dict, name: str, columns: int = 12) -> str:
    """Validation metrics against minutes for one run, transposed (one column per validation), at most
    `columns` validations spread evenly over the run, the last always shown."""
    run = record["runs"].get(name)
    curve = (run or {}).get("val_vs_minutes") or []
    if not curve:
        return f"No validation curve for {record['task']}/{name} yet: `make results TASK={record['task']}` records it.\n"
    declaration = declared(record["task"]).get(name, run)
    keys = declaration.get("curve") or declaration["keys"]  # `curve:` in results.yaml picks the rows
    shown = [k for k in keys if k.startswith("val/") and k in curve[-1]]
    shown = shown or [k for k in curve[-1] if k.startswith("val/") and k != "val/loss"]
    n = min(columns, len(curve))
    picks = sorted({round(i * (len(curve) - 1) / max(1, n - 1)) for i in range(n)})
    rows = [curve[i] for i in picks]
    lines = ["| minutes | " + " | ".join(f"{r['minutes']:.1f}" for r in rows) + " |",
             "|---|" + "---|" * len(rows),
             "| epoch | " + " | ".join(str(r.get("epoch", "-")) for r in rows) + " |"]
    lines += [f"| `{k}` | " + " | ".join(_value(r[k]) if k in r else "-" for r in rows) + " |" for k in shown]
    lines.append("")
    lines.append(f"From `results/{record['task']}.json` (`{name}` run's `val_vs_minutes`; wall-clock minutes at load average "
                 f"{run['provenance'].get('load_average_1min', '?')} when it started).")
    return "\n".join(lines) + "\n"


def overview_table(records: dict[str, dict]) -> str:
    lines = ["| task | run | minutes (CPU) | figures |", "|---|---|---|---|"]
    for task, record in records.items():
        plan = declared(task)
        for name, run in record["runs"].items():  # measured runs only, sweeps left to the task READMEs
            if plan.get(name, {}).get("group"):
                continue
            state = _state(run)
            keys = plan.get(name, run).get("keys", [])
            figures = state or ", ".join(f"{k} {_value(run['metrics'][k])}" for k in keys if k in run["metrics"])
            minutes = "-" if state else _minutes(run)
            lines.append(f"| {task} | {name} | {minutes} | {figures} |")
    lines.append("")
    lines.append("From `results/<task>.json`, written by `make results` on the machine each file names; minutes of wall clock "
                 "(CPU minutes in brackets: they grow much less when other jobs share the machine).")
    return "\n".join(lines) + "\n"


def not_measured(name: str) -> str:
    return (f"Not measured on this machine yet: `make results TASK={name}` writes `results/{name}.json` "
            "and this table.\n")


def expected_block(name: str, records: dict[str, dict]) -> str:
    if name == "all":
        return overview_table(records)
    task, _, group = name.partition("/")
    if task not in records:
        return not_measured(task)
    if group.endswith("/curve"):
        return curve_table(records[task], group.removesuffix("/curve"))
    return task_table(records[task], group or None)


def readmes() -> list[Path]:
    return [ROOT / "README.md", RESULTS / "README.md", *sorted((ROOT / "tasks").glob("*/README.md"))]


def _rewrite(text: str, records: dict[str, dict]) -> str:
    def fill(match: re.Match) -> str:
        return match.group(1) + expected_block(match["name"], records) + match.group(4)
    return BLOCK.sub(fill, text)


def stale_blocks() -> list[str]:
    """'path: block' for every generated block whose text differs from what the files give."""
    records, stale = load(), []
    for path in readmes():
        if not path.is_file():
            continue
        for match in BLOCK.finditer(path.read_text()):
            if expected_block(match["name"], records) != match["body"]:
                shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
                stale.append(f"{shown}: results:{match['name']}")
    return stale


def results_readme(records: dict[str, dict]) -> str:
    parts = ["# Results\n",
             "Written by `make results` (`python -m results.run`): every task's result runs, declared in",
             "`tasks/<task>/results.yaml`, trained with the default seed (42) and the CSV logger. Each `<task>.json` keeps the",
             "command, minutes, every metric, val metrics against minutes, machine, torch version and commit.",
             "Runs that need `../shared/data` are skipped, with a note, where it is absent.\n",
             "<!-- results:all -->\n<!-- /results:all -->\n"]
    for task in records:
        parts.append(f"## {task}\n\n<!-- results:{task} -->\n<!-- /results:{task} -->\n")
        parts.append(f"Validation against minutes, default run:\n\n<!-- results:{task}/default/curve -->\n"
                     f"<!-- /results:{task}/default/curve -->\n")
        for group in dict.fromkeys(run["group"] for run in declared(task).values() if run.get("group")):
            parts.append(f"### {task}: {group}\n\n<!-- results:{task}/{group} -->\n<!-- /results:{task}/{group} -->\n")
    return _rewrite("\n".join(parts), records)


def write_all() -> None:
    records = load()
    (RESULTS / "README.md").write_text(results_readme(records))
    for path in readmes():
        if path.is_file():
            text = path.read_text()
            new = _rewrite(text, records)
            if new != text:
                path.write_text(new)
                print(f"[results] tables refreshed in {path.relative_to(ROOT)}")
