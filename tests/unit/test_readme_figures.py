"""No README shows a hand-typed quality table: every table of metric figures sits in a block that
`make results` (`<!-- results:... -->`) or `make bench` (`<!-- bench:... -->`) generates from its files."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
READMES = [ROOT / "README.md", *sorted((ROOT / "tasks").glob("*/README.md"))]
GENERATED = re.compile(r"<!-- (results|bench):([\w/-]+) -->.*?<!-- /\1:\2 -->", re.S)
METRIC = re.compile(r"\b(wer|cer|bleu|rouge|acc|accuracy|f1|rmse|mae|smape|nll|bpc|auroc|auprc|cider|ppl|"
                    r"perplexity|top-1|top-5|slot)", re.I)
FIGURE = re.compile(r"\d\.\d|\d%")


def hand_tables(text: str) -> list[str]:
    """Header lines of markdown tables outside generated blocks that hold metric figures."""
    lines, found = GENERATED.sub("", text).splitlines(), []
    for i, line in enumerate(lines[:-1]):
        if not (line.startswith("|") and re.fullmatch(r"\|[-| :]+\|", lines[i + 1].strip())):
            continue
        body = []
        for row in lines[i + 2:]:
            if not row.startswith("|"):
                break
            body.append(row)
        with_figures = [row for row in body if FIGURE.search(row)]
        if with_figures and (METRIC.search(line) or any(METRIC.search(row) for row in with_figures)):
            found.append(line)
    return found


@pytest.mark.parametrize("readme", READMES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_hand_typed_quality_table(readme):
    assert hand_tables(readme.read_text()) == [], (
        f"{readme.relative_to(ROOT)}: a table of metric figures outside a generated block; declare the runs in "
        "tasks/<task>/results.yaml and show them with a <!-- results:<task>[/<group>] --> block")


def test_the_check_finds_a_hand_table_and_spares_generated_ones():
    table = "| run | test WER |\n|---|---|\n| default | 0.012 |\n"
    assert hand_tables(f"intro\n\n{table}") == ["| run | test WER |"]
    assert hand_tables(f"<!-- results:speech -->\n{table}<!-- /results:speech -->\n") == []
    assert hand_tables("| key | default |\n|---|---|\n| `data.log` | `false` |\n") == []
