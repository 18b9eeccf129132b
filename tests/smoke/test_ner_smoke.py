"""A few steps of NER through train(cfg), with and without CRF, per cell; CoNLL files through train too."""
import json

import pytest
import torch

from suite.engine import train
from tests.conftest import compose_train
from tests.fixtures.ner_formats import SENTENCES, conll_text
from tests.tiny import tiny


@pytest.mark.parametrize("extra", [  # the default model trains in tests/integration/test_ner_cli.py
    ["model.crf=true", "model.encoder.cell=gru", "model.encoder.num_layers=2", "callbacks=gradient_flow"],
])
def test_train_writes_checkpoints_and_metrics(tmp_path, extra):
    metrics = train(compose_train(tmp_path, tiny("ner", *extra)))
    assert json.loads((tmp_path / "metrics.json").read_text()) == pytest.approx(metrics)
    for split in ("val", "test"):
        assert 0.0 <= metrics[f"{split}/f1"] <= 1.0 and f"{split}/precision" in metrics
    if "callbacks=gradient_flow" in extra:  # d loss / d h_t reaches back from the loss to the first steps
        curve = json.loads((tmp_path / "gradient_flow" / "epoch_000.json").read_text())["norms"]
        assert (tmp_path / "gradient_flow" / "epoch_000.png").is_file() and len(curve) > 3 and min(curve) > 0
    ckpt = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["suite"]["task"] == "ner" and ckpt["hyper_parameters"]["meta"]["encoder"]["tags"][0] == "O"
    model = ckpt["hyper_parameters"]["model"]  # the character encoder follows the sentence encoder's cell
    assert model["chars"]["cell"] == model["encoder"]["cell"] == "gru"
    assert any(k.startswith("crf.") for k in ckpt["state_dict"])


def test_conll_files_train(tmp_path):
    root = tmp_path / "conll"
    root.mkdir()
    (root / "eng.train").write_text(conll_text(SENTENCES * 10, scheme="iob1"))
    (root / "eng.testb").write_text(conll_text(SENTENCES, scheme="iobes", columns=2))
    overrides = [o for o in tiny("ner") if not o.startswith("data.n_")]
    metrics = train(compose_train(tmp_path / "run", [*overrides, "data=conll", f"data.root={root}", "model.crf=true",
                                                      "model.encoder.cell=rnn", "model.encoder.bidirectional=false",
                                                      "model.chars=null"]))
    assert {"val/f1", "test/f1"} <= set(metrics)
    ckpt = torch.load(tmp_path / "run" / "checkpoints" / "last.ckpt", weights_only=True)
    assert not any(k.startswith("char_encoder.") for k in ckpt["state_dict"])  # model.chars=null: none


def test_wandb_table_shows_gold_and_predicted_entities_in_brackets(tmp_path):
    train(compose_train(tmp_path, tiny("ner", "logger=wandb")))
    (run,) = (tmp_path / "wandb").glob("offline-run-*")
    (table,) = run.glob("files/media/table/val/predictions_*.table.json")
    saved = json.loads(table.read_text())
    assert saved["columns"] == ["gold", "predicted"] and len(saved["data"]) == 16
    assert sum("[" in gold for gold, _ in saved["data"]) > 8  # most synthetic sentences name an entity
