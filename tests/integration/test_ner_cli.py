"""NER: train -> eval -> predict from the checkpoint alone; a bad CoNLL line stops training with one line."""
import json
import re

import pytest

from tests.fixtures.ner_formats import TINY_NER, conll_text
from tests.integration.cli import run


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("ner") / "run"
    run("suite-train", *TINY_NER, f"hydra.run.dir={run_dir}")
    return run_dir / "checkpoints" / "last.ckpt"


def test_eval_from_the_checkpoint_alone(ckpt, tmp_path):
    proc = run("suite-eval", f"ckpt_path={ckpt}", f"hydra.run.dir={tmp_path}", "trainer.enable_progress_bar=false")
    printed = json.loads(proc.stdout[proc.stdout.index("{"):])
    written = json.loads((ckpt.parent.parent / "metrics.json").read_text())
    assert printed["test/f1"] == pytest.approx(written["test/f1"], abs=1e-6)


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
