"""A few steps of captioning through train(cfg): the run dir layout and metrics.json contract."""
import json

import pytest
import torch

from suite.engine import train
from tests.conftest import compose_train
from tests.tiny import tiny


@pytest.mark.parametrize("extra", [
    ["model=show_attend_tell"],
    ["model=show_tell", "model.decoder.cell=gru"],
    ["model.decoder.cell=rnn", "model.scheduled_sampling=0.25", "model.label_smoothing=0.1",
     "model.decode.beam_size=1"],
])
def test_train_writes_checkpoints_and_metrics(tmp_path, extra):
    cfg = compose_train(tmp_path, tiny("captioning", *extra))
    metrics = train(cfg)
    on_disk = json.loads((tmp_path / "metrics.json").read_text())
    assert on_disk == pytest.approx(metrics)
    for split in ("val", "test"):
        for name in ("bleu1", "bleu4", "cider", "loss"):
            assert f"{split}/{name}" in metrics
        assert 0.0 <= metrics[f"{split}/bleu4"] <= 100.0
    assert (tmp_path / "checkpoints" / "last.ckpt").is_file()
    assert list((tmp_path / "checkpoints").glob("best-*.ckpt"))
    ckpt = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["suite"]["task"] == "captioning"
    assert ckpt["hyper_parameters"]["meta"]["vocab"]["itos"][:4] == ["<pad>", "<bos>", "<eos>", "<unk>"]
    assert ckpt["hyper_parameters"]["meta"]["data"]["name"] == "shapes"


@pytest.mark.parametrize("model", ["show_attend_tell", "show_tell"])
def test_evaluation_encodes_each_batch_once(tmp_path, model):
    """The loss and the beam search of an evaluation batch share one pass of the image encoder."""
    from suite.checkpoint import load_module
    from suite.registry import get_task

    train(compose_train(tmp_path, tiny("captioning", f"model={model}", "trainer.limit_train_batches=2",
                                       "test_after_fit=false")))
    task = get_task("captioning")
    module = load_module(tmp_path / "checkpoints" / "last.ckpt", task)
    calls = []
    module.encoder.register_forward_hook(lambda *_: calls.append(1))
    dm = task.datamodule_class(module.meta.data, meta=module.meta)
    dm.setup("validate")
    batch = next(iter(dm.val_dataloader()))
    with torch.no_grad():
        loss, rows = module.eval_batch(batch, "val")
    assert len(calls) == 1 and len(rows) == batch["size"] and torch.isfinite(loss)
    assert {"id", "caption", "references"} <= set(rows[0])
