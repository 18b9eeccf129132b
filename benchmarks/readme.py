"""README blocks generated from benchmarks/results.json, so no benchmark figure is typed by hand.

README.md holds `<!-- bench:summary -->` ... `<!-- /bench:summary -->`: the summary table of every
device, each headed by the commit, torch and load average behind it (the same sections as results.md).
A task README may hold `<!-- bench:<task> -->` ... `<!-- /bench:<task> -->`: that task's rows only.
`write_blocks()` (run by every `make bench` save) rewrites them; `stale_blocks()` (the test) lists
the blocks that disagree with results.json. The same idea as results/tables.py's `results:` blocks.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from benchmarks import common
from benchmarks.report import summary_sections

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"(<!-- bench:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /bench:(?P=name) -->)", re.S)


def readmes() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "tasks").glob("*/README.md"))]


def _entries(name: str, results: dict) -> dict:
    """A task's entries: its CPU one and its variants (`<task>@gpu`, `<task> (no non-finite check)`)."""
    return {k: v for k, v in results.items() if re.match(rf"{re.escape(name)}($|@| \()", k)}


def expected_block(name: str, results: dict) -> str:
    entries = results if name == "summary" else _entries(name, results)
    if not entries:
        return f"Not measured yet: `make bench` (or `python -m benchmarks.{name}`) writes this table.\n"
    level = "###" if name == "summary" else "####"  # under README.md's `##` section, a task README's `###` one
    return "\n".join(summary_sections(entries, level=level)).rstrip("\n") + "\n"


def _load() -> dict:
    return json.loads(common.RESULTS_JSON.read_text()) if common.RESULTS_JSON.is_file() else {}


def stale_blocks(results: dict | None = None, paths: list[Path] | None = None) -> list[str]:
    """'path: bench:name' for every block whose text differs from what results.json gives."""
    results = _load() if results is None else results
    stale = []
    for path in readmes() if paths is None else paths:
        if path.is_file():
            stale += [f"{path.name if not path.is_relative_to(ROOT) else path.relative_to(ROOT)}: bench:{m['name']}"
                      for m in BLOCK.finditer(path.read_text()) if expected_block(m["name"], results) != m["body"]]
    return stale


def write_blocks(results: dict | None = None, paths: list[Path] | None = None) -> None:
    results = _load() if results is None else results
    for path in readmes() if paths is None else paths:
        if not path.is_file():
            continue
        text = path.read_text()
        new = BLOCK.sub(lambda m: m.group(1) + expected_block(m["name"], results) + m.group(4), text)
        if new != text:
            path.write_text(new)
            print(f"[bench] tables refreshed in {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    write_blocks()  # python -m benchmarks.readme: the blocks again from the committed results.json
