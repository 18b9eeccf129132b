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
    assert {"src", "tgt", "data"} <= set(ckpt["hyper_parameters"]["meta"])


def test_evaluation_encodes_each_batch_once(tmp_path):
    """The loss and the beam search of an evaluation batch share one encoder pass."""
    from suite.checkpoint import load_module
    from suite.registry import get_task

    train(compose_train(tmp_path, TINY_TRANSLATION))
    module = load_module(tmp_path / "checkpoints" / "last.ckpt", get_task("translation"))
    calls = []
    module.encoder.register_forward_hook(lambda *_: calls.append(1))
    dm = get_task("translation").datamodule_class(module.meta.data, meta=module.meta)
    dm.setup("validate")
    batch = next(iter(dm.val_dataloader()))
    with torch.no_grad():
        loss, rows = module.eval_batch(batch, "val")
    assert len(calls) == 1 and len(rows) == batch["size"] and torch.isfinite(loss)
