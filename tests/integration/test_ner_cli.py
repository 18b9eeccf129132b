"""NER: train -> eval -> predict from the checkpoint alone; a bad CoNLL line stops training with one line."""
import json
import re

import pytest

from tests.fixtures.ner_formats import TINY_NER, conll_text
from tests.integration.cli import assert_eval_reproduces, run, trained_checkpoint


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    return trained_checkpoint(tmp_path_factory, *TINY_NER)


def test_eval_from_the_checkpoint_alone(ckpt, tmp_path):
    assert_eval_reproduces(ckpt, tmp_path, "test/f1")


def test_predict_a_sentence_as_json_with_spans(ckpt):
    sentence = "Senator Anna Kowalczyk told reporters in New York on Monday."
    (row,) = [json.loads(line) for line in run("suite-predict", f"ckpt_path={ckpt}", f"input={sentence}",
                                               "output=json").stdout.strip().splitlines()]
    assert row["input"] == sentence and row["tokens"][-1] == "." and len(row["tags"]) == len(row["tokens"]) == 11
    for e in row["entities"]:  # spans point into the input and match the bracketed text
        assert sentence[e["start"]:e["end"]] == e["text"] and f"[{e['type']} {e['text']}]" in row["text"]
    assert re.sub(r"\[[A-Z]+ |\]", "", row["text"]).split() == row["tokens"]  # brackets only added
    assert row["text"].count("[") == len(row["entities"])


def test_a_conll_line_with_the_wrong_columns_stops_train_with_one_line(tmp_path):
    """In-process (a CLI run costs seconds of imports): the UserError the CLI prints as its one line."""
    from suite.engine import train
    from suite.errors import UserError
    from tests.conftest import compose_train

    lines = conll_text().splitlines()
    lines[6] = "call NN"
    (tmp_path / "eng.train").write_text("\n".join(lines) + "\n")
    with pytest.raises(UserError) as err:
        train(compose_train(tmp_path / "run", ["task=ner", "data=conll", f"data.root={tmp_path}", "logger=none"]))
    msg = str(err.value)
    assert "\n" not in msg and "eng.train' line 7: 2 columns" in msg and "has 4" in msg
