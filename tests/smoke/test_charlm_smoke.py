"""A few steps of charlm through train(cfg) on a text file: loss, bpc and the unigram baseline."""
import json
import math

import pytest

from suite.engine import train
from tests.conftest import compose_train
from tests.fixtures.text_formats import write_text

TINY_CHARLM = [
    "task=charlm", "data=text_file", "data.batch_size=4", "data.bptt=16", "model.embed_size=8",
    "model.hidden_size=16", "trainer.max_epochs=1", "trainer.accelerator=cpu", "trainer.devices=1",
    "trainer.enable_progress_bar=false", "trainer.enable_model_summary=false", "trainer.num_sanity_val_steps=0",
    "trainer.log_every_n_steps=1", "logger=none", "threads=1",
]


def test_train_on_a_text_file_with_a_vanilla_rnn(tmp_path):
    text = tmp_path / "code.txt"
    write_text(text, repeat=30)
    metrics = train(compose_train(tmp_path / "run", [*TINY_CHARLM, f"data.path={text}", "model.cell=rnn",
                                                     "callbacks=gradient_flow"]))
    assert json.loads((tmp_path / "run" / "metrics.json").read_text()) == pytest.approx(metrics)
    assert metrics["val/bpc"] == pytest.approx(metrics["val/loss"] / math.log(2))
    assert 0 < metrics["val/bpc_unigram"] < 8 and not any(k.startswith("test/") for k in metrics)
    assert len(json.loads((tmp_path / "run" / "gradient_flow" / "epoch_000.json").read_text())["norms"]) == 16
