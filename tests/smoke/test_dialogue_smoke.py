"""Dialogue through train(cfg): hred on the synthetic data, and every real reader on its fixture."""
import json

import pytest
import torch

from suite.engine import train
from tests.conftest import compose_train
from tests.fixtures.dialogue_formats import write_cornell, write_dailydialog, write_jsonl
from tests.tiny import tiny

KEYS = ("ppl", "bleu", "distinct1", "distinct2")


def test_hred_with_gru_cells_trains_and_reports_slot_accuracy(tmp_path):
    metrics = train(compose_train(tmp_path, tiny("dialogue", "model=hred", "model.encoder.cell=gru",
                                                 "model.context.cell=gru", "model.decoder.cell=gru",
                                                 "model.decode.strategy=beam", "model.decode.beam_size=2")))
    assert json.loads((tmp_path / "metrics.json").read_text()) == pytest.approx(metrics)
    for key in (*KEYS, "slot_acc", "slot_acc_clarify"):
        assert f"test/{key}" in metrics, key
    assert 0 <= metrics["test/slot_acc_clarify"] <= 1 and metrics["test/ppl"] > 1
    ckpt = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["suite"]["task"] == "dialogue" and set(ckpt["hyper_parameters"]["meta"]["slots"]) == {
        "day", "time", "people", "place", "item"}


@pytest.mark.parametrize("reader", ["dailydialog", "cornell_movie", "dialogue_jsonl", "chatterbot"])
def test_real_reader_trains_end_to_end(tmp_path, reader):
    data = {"dailydialog": lambda: write_dailydialog(tmp_path / "dd", "text_only", n=30) and [f"data.root={tmp_path / 'dd'}"],
            "cornell_movie": lambda: write_cornell(tmp_path / "cm", n=30) and [f"data.root={tmp_path / 'cm'}"],
            "dialogue_jsonl": lambda: write_jsonl(tmp_path / "d.jsonl", n=30) and [f"data.train={tmp_path / 'd.jsonl'}"],
            "chatterbot": lambda: ["data.topics=[greetings]"]}[reader]()
    extra = ["data.tokenizer=word"] if reader == "cornell_movie" else []  # sentencepiece needs more text than 30 scenes
    sizes = [a for a in tiny("dialogue", f"data={reader}", *data, *extra) if not a.startswith("data.n_")]  # synthetic only
    metrics = train(compose_train(tmp_path / "run", sizes))
    assert all(f"test/{k}" in metrics for k in KEYS) and "test/slot_acc" not in metrics  # no slots in real data
