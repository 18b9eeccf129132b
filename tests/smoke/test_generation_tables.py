"""W&B validation tables of the generating tasks (offline runs): summarization shows document, reference and
summary with copied words marked; dialogue shows context, reference, the greedy and a sampled reply."""
import json

from suite.engine import train
from tests.conftest import compose_train
from tests.tiny import tiny


def _table(run_dir):
    (run,) = (run_dir / "wandb").glob("offline-run-*")
    tables = sorted(run.glob("files/media/table/val/predictions_*.table.json"))
    assert tables, "no validation table was logged"
    return json.loads(tables[-1].read_text())


def test_summarization_table_marks_the_copied_words(tmp_path):
    train(compose_train(tmp_path, tiny("summarization", "logger=wandb")))
    saved = _table(tmp_path)
    assert saved["columns"] == ["document", "reference", "summary"] and saved["data"]
    for document, _, summary in saved["data"]:
        copied = [w.strip("[]") for w in summary.split() if w.startswith("[") and w.endswith("]")]
        assert all(w in document for w in copied)  # only a word of the document can be copied


def test_dialogue_table_shows_the_greedy_and_a_sampled_reply(tmp_path):
    train(compose_train(tmp_path, tiny("dialogue", "logger=wandb")))
    saved = _table(tmp_path)
    assert saved["columns"] == ["context", "reference", "reply", "sampled"] and saved["data"]
    assert all(isinstance(cell, str) for row in saved["data"] for cell in row)
