"""Sentiment: train -> eval -> predict from the checkpoint alone (bad inputs: tests/unit/test_sentiment_*;
the CLI turning them into one line: test_ner_cli.py and the shared CLI tests)."""
import json

import pytest

from tests.fixtures.sentiment_formats import TINY_SENTIMENT
from tests.integration.cli import run


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("sentiment") / "run"
    run("suite-train", *TINY_SENTIMENT, f"hydra.run.dir={run_dir}")
    return run_dir / "checkpoints" / "last.ckpt"


def test_eval_from_the_checkpoint_alone(ckpt, tmp_path):
    proc = run("suite-eval", f"ckpt_path={ckpt}", f"hydra.run.dir={tmp_path}", "trainer.enable_progress_bar=false")
    printed = json.loads(proc.stdout[proc.stdout.index("{"):])
    written = json.loads((ckpt.parent.parent / "metrics.json").read_text())
    assert printed["test/acc"] == pytest.approx(written["test/acc"], abs=1e-6)


def test_predict_a_file_of_texts_as_json(ckpt, tmp_path):
    source = tmp_path / "in.txt"
    source.write_text("the plot was not bad .\n\nthe acting was good , but the ending was dull .\n", encoding="utf-8")
    rows = [json.loads(line) for line in run("suite-predict", f"ckpt_path={ckpt}", f"input={source}",
                                             "output=json").stdout.strip().splitlines()]
    assert [r["input"] for r in rows] == ["the plot was not bad .", "the acting was good , but the ending was dull ."]
    for r in rows:
        label, prob = r["text"].split()
        assert label == r["label"] in ("negative", "positive")
        assert float(prob) == pytest.approx(r["probability"], abs=0.01)
        assert sum(r["probabilities"].values()) == pytest.approx(1.0, abs=1e-3) and r["probability"] >= 0.5
