"""`make results`: every task declares its result runs, every README table agrees with results/*.json,
and every results file records where it came from."""
from __future__ import annotations

import json

import pytest

from results import run as results_run
from results import tables
from suite.registry import all_tasks

TASKS = sorted(all_tasks())


@pytest.mark.parametrize("task", TASKS)
def test_every_task_declares_result_runs_with_keys(task):
    runs = results_run.plan(task)
    assert runs and runs[0]["name"] == "default", "the first result run is the task's default recipe"
    assert all(run["keys"] for run in runs)


@pytest.mark.parametrize("path", sorted(tables.RESULTS.glob("*.json")), ids=lambda p: p.stem)
def test_every_results_file_matches_its_plan_and_records_provenance(path):
    record = json.loads(path.read_text())
    assert {"commit", "torch", "device"} <= set(record)
    declared = [run["name"] for run in results_run.plan(record["task"])]
    assert set(record["runs"]) <= set(declared), "a run no longer declared in results.yaml: re-run make results"
    for name, run in record["runs"].items():
        if "skipped" in run:
            continue
        assert "failed" not in run, f"{record['task']}/{name} failed: {run['failed']}"
        assert {"commit", "torch"} <= set(run["provenance"])
        shown = next(r["keys"] for r in results_run.plan(record["task"]) if r["name"] == name)
        assert set(shown) <= set(run["metrics"]), f"{record['task']}/{name}: a key results.yaml shows is not in its metrics"


@pytest.mark.parametrize("task", TASKS)
def test_task_readme_shows_its_results_table(task):
    readme = tables.ROOT / "tasks" / task / "README.md"
    assert f"<!-- results:{task} -->" in readme.read_text()


def test_readme_tables_agree_with_results_files():
    assert tables.stale_blocks() == [], "regenerate with `python -m results.run --tables-only`"


def _record():
    return {"task": "demo", "commit": "abc", "torch": "2.x", "device": "cpu", "runs": {
        "default": {"command": "suite-train task=demo", "minutes": 1.25, "cpu_minutes": 0.5, "keys": ["test/acc"],
                    "metrics": {"test/acc": 0.91234}, "provenance": {"commit": "abc", "torch": "2.x"}},
        "real": {"skipped": "needs ../shared/data/x"}}}


def test_a_hand_edited_table_is_found_stale(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "RESULTS", tmp_path)
    monkeypatch.setattr(tables, "readmes", lambda: [tmp_path / "README.md"])
    (tmp_path / "demo.json").write_text(json.dumps(_record()))
    good = f"intro\n<!-- results:demo -->\n{tables.task_table(_record())}<!-- /results:demo -->\n"
    (tmp_path / "README.md").write_text(good)
    assert tables.stale_blocks() == []
    assert "| default | `suite-train task=demo` | 1.2 (0.5) | 0.912 |" in good
    assert "| real | skipped: needs ../shared/data/x | - | - |" in good
    assert "Not measured on this machine yet: `make results TASK=other`" in tables.expected_block("other", {})
    (tmp_path / "README.md").write_text(good.replace("0.912", "0.95"))
    assert tables.stale_blocks() == ["README.md: results:demo"]


def test_a_run_that_needs_absent_shared_data_is_skipped(monkeypatch, tmp_path):
    monkeypatch.setattr(results_run, "SHARED", tmp_path)
    out = results_run.train("forecast", {"name": "x", "keys": ["test/rmse"], "requires": "missing.csv"}, None)
    assert out == {"skipped": "needs ../shared/data/missing.csv, which is not on this machine"}


def test_a_group_of_runs_gets_its_own_block(tmp_path, monkeypatch):
    record = _record()
    record["runs"]["seed_1"] = {**record["runs"]["default"], "command": "suite-train task=demo seed=1"}
    plan = [{"name": "default"}, {"name": "real"}, {"name": "seed_1", "group": "seeds"},
            {"name": "seed_2", "group": "seeds"}]
    monkeypatch.setattr(tables, "declared", lambda task: {r["name"]: {**r, "keys": ["test/acc"]} for r in plan})
    main, seeds = tables.expected_block("demo", {"demo": record}), tables.expected_block("demo/seeds", {"demo": record})
    assert "seed=1" not in main and "| default |" in main and "| real |" in main
    assert "| seed_1 | `suite-train task=demo seed=1` |" in seeds and "| default |" not in seeds
    assert "| seed_2 | not run yet on this machine | - | - |" in seeds and "`test/acc`" in seeds
    assert "seed_1" not in tables.overview_table({"demo": record})


def test_a_runs_validation_curve_is_shown_against_minutes():
    record = _record()
    record["runs"]["default"]["provenance"]["load_average_1min"] = 0.5
    record["runs"]["default"]["val_vs_minutes"] = [{"minutes": m / 10, "epoch": m, "val/acc": m / 100} for m in range(30)]
    curve = tables.expected_block("demo/default/curve", {"demo": record})
    assert curve.startswith("| minutes | 0.0 | 0.3 |") and "| 2.9 |" in curve  # 12 of 30, first and last kept
    assert curve.splitlines()[0].count("|") == 14 and "| `val/acc` | 0.000 |" in curve
    assert "No validation curve" in tables.expected_block("demo/real/curve", {"demo": record})
    record["runs"]["default"]["val_vs_minutes"] = record["runs"]["default"]["val_vs_minutes"][:10]
    short = tables.expected_block("demo/default/curve", {"demo": record})
    assert short.splitlines()[0] == "| minutes | " + " | ".join(f"{m / 10:.1f}" for m in range(10)) + " |"  # all 10
