"""Sentiment: train -> eval -> predict from the checkpoint alone (bad inputs: tests/unit/test_sentiment_*;
the CLI turning them into one line: test_ner_cli.py and the shared CLI tests)."""
import json

import pytest

from tests.fixtures.sentiment_formats import TINY_SENTIMENT
from tests.integration.cli import assert_eval_reproduces, run, trained_checkpoint


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    return trained_checkpoint(tmp_path_factory, *TINY_SENTIMENT)


def test_eval_from_the_checkpoint_alone(ckpt, tmp_path):
    assert_eval_reproduces(ckpt, tmp_path, "test/acc")


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
