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


def test_budget_ends_the_schedule_and_the_run_then_tests(tmp_path, caplog):
    """budget=8s: no epoch limit, the run stops near 8 s, the LR has decayed to ~0 by then, the
    best checkpoint is tested, and the final line says whether the monitor was still improving."""
    import logging
    import time

    start = time.monotonic()
    with caplog.at_level(logging.INFO):
        metrics = train(compose_train(tmp_path, [*TINY_TRANSLATION, "budget=8s", "trainer.max_epochs=1",
                                                           "trainer.limit_train_batches=3", "model.decode.beam_size=1"]))
    assert time.monotonic() - start < 60  # stopped by the budget, not by an epoch count
    assert "test/bleu" in metrics
    ckpt = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["epoch"] >= 1  # the epoch limit of 1 was lifted
    lr = ckpt["optimizer_states"][0]["param_groups"][0]["lr"]
    assert lr < 0.25 * 0.003  # 8 s in: the cosine has (nearly) reached zero
    assert "over the last 3 validations" in caplog.text


def test_early_stopping_ends_a_run_that_stopped_improving(tmp_path):
    """early_stopping.patience=1: the second validation without a better val/bleu ends the run."""
    train(compose_train(tmp_path, [*TINY_TRANSLATION, "early_stopping.patience=1", "trainer.max_epochs=30",
                                   "trainer.limit_train_batches=1", "model.optimizer.lr=1e-9"]))
    epochs = [row["epoch"] for row in json.loads((tmp_path / "timeline.json").read_text())]
    assert len(epochs) < 30 and epochs[-1] < 29  # a learning rate of ~0 never improves val/bleu
