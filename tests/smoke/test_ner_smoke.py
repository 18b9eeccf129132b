"""A few steps of NER through train(cfg), with and without CRF, per cell; CoNLL files through train too."""
import json

import pytest
import torch

from suite.engine import train
from tests.conftest import compose_train
from tests.fixtures.ner_formats import TINY_NER, SENTENCES, conll_text


@pytest.mark.parametrize("extra", [  # the default model trains in tests/integration/test_ner_cli.py
    ["model.crf=true", "model.cell=gru", "model.num_layers=2", "callbacks=gradient_flow"],
])
def test_train_writes_checkpoints_and_metrics(tmp_path, extra):
    metrics = train(compose_train(tmp_path, [*TINY_NER, *extra]))
    assert json.loads((tmp_path / "metrics.json").read_text()) == pytest.approx(metrics)
    for split in ("val", "test"):
        assert 0.0 <= metrics[f"{split}/f1"] <= 1.0 and f"{split}/precision" in metrics
    if "callbacks=gradient_flow" in extra:  # d loss / d h_t reaches back from the loss to the first steps
        curve = json.loads((tmp_path / "gradient_flow" / "epoch_000.json").read_text())["norms"]
        assert (tmp_path / "gradient_flow" / "epoch_000.png").is_file() and len(curve) > 3 and min(curve) > 0
    ckpt = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["suite"]["task"] == "ner" and ckpt["hyper_parameters"]["meta"]["vocab"]["tags"][0] == "O"


def test_conll_files_train(tmp_path):
    root = tmp_path / "conll"
    root.mkdir()
    (root / "eng.train").write_text(conll_text(SENTENCES * 10, scheme="iob1"))
    (root / "eng.testb").write_text(conll_text(SENTENCES, scheme="iobes", columns=2))
    overrides = [o for o in TINY_NER if not o.startswith("data.n_")]
    metrics = train(compose_train(tmp_path / "run", [*overrides, "data=conll", f"data.root={root}", "model.crf=true",
                                                      "model.cell=rnn", "model.bidirectional=false",
                                                      "model.char_hidden_size=0"]))
    assert {"val/f1", "test/f1"} <= set(metrics)
