"""A few steps of translation through train(cfg), for each attention and cell."""
import json

import pytest
import torch

from suite.engine import train
from tests.conftest import TINY_TRANSLATION, compose_train


@pytest.mark.parametrize("extra", [
    [],
    ["model.decoder.attention=bahdanau", "model.decoder.input_feeding=false", "model.encoder.cell=gru",
     "model.decoder.cell=gru"],
    ["model.decoder.attention=dot", "model.decoder.cell=rnn", "model.encoder.cell=rnn", "model.decode.beam_size=1"],
    ["data.tokenizer=sentencepiece", "data.vocab_size=120"],
])
def test_train_writes_checkpoints_and_metrics(tmp_path, extra):
    metrics = train(compose_train(tmp_path, [*TINY_TRANSLATION, *extra]))
    assert json.loads((tmp_path / "metrics.json").read_text()) == pytest.approx(metrics)
    for split in ("val", "test"):
        assert 0.0 <= metrics[f"{split}/bleu"] <= 100.0 and 0.0 <= metrics[f"{split}/chrf"] <= 100.0
    ckpt = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["suite"]["task"] == "translation"
    assert set(ckpt["hyper_parameters"]["meta"]["vocab"]) == {"src", "tgt"}
