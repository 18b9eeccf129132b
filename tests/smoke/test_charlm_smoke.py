"""A few steps of charlm through train(cfg) on a text file: loss, bpc and the unigram baseline."""
import json
import math

import pytest

from suite.engine import train
from tests.conftest import compose_train
from tests.fixtures.text_formats import write_text
from tests.tiny import tiny


def test_train_on_a_text_file_with_a_vanilla_rnn(tmp_path):
    text = tmp_path / "code.txt"
    write_text(text, repeat=30)
    metrics = train(compose_train(tmp_path / "run", tiny("charlm", "data=text_file", f"data.path={text}",
                                                         "model.cell=rnn", "callbacks=gradient_flow")))
    assert json.loads((tmp_path / "run" / "metrics.json").read_text()) == pytest.approx(metrics)
    assert metrics["val/bpc"] == pytest.approx(metrics["val/loss"] / math.log(2))
    assert 0 <= metrics["val/bpc_xz"] < metrics["val/bpc_unigram"] < 8 and not any(k.startswith("test/") for k in metrics)
    assert len(json.loads((tmp_path / "run" / "gradient_flow" / "epoch_000.json").read_text())["norms"]) == 16
