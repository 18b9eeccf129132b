"""compile=<backend>: the task's feed-forward part goes through torch.compile, training runs, and
the checkpoint keeps the parameter names of an eager run (so it loads anywhere). aot_eager traces
forward and backward as inductor does but skips its C++ code generation (a minute on 2 cores)."""
import pytest
import torch
from torch._dynamo.utils import counters

from suite.engine import train
from tests.conftest import compose_train
from tests.tiny import tiny


def test_compile_trains_and_keeps_checkpoint_names(tmp_path, caplog):
    cfg = compose_train(tmp_path, tiny("captioning", "compile=aot_eager", "trainer.max_steps=2", "test_after_fit=false"))
    counters.clear()
    with caplog.at_level("INFO", logger="suite.engine"):
        train(cfg)
    assert counters["stats"]["unique_graphs"] >= 1  # dynamo really captured the CNN
    assert "torch.compile (aot_eager): encoder.backbone" in caplog.text
    state = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)["state_dict"]
    assert any(k.startswith("encoder.backbone.body.") for k in state)
    assert not any("_orig_mod" in k for k in state)


def test_an_unknown_backend_is_one_line(tmp_path):
    from suite.errors import UserError

    cfg = compose_train(tmp_path, tiny("captioning", "compile=no_such_backend", "trainer.max_steps=1"))
    with pytest.raises(UserError, match="compile=no_such_backend failed") as err:
        train(cfg)
    assert "\n" not in str(err.value)
