"""callbacks=gradient_flow: d loss / d h_t through time, its PNG, and the rnn-vs-lstm contrast."""
import json

import pytest
import pytorch_lightning as pl
import torch
import torch.nn.functional as F

from suite.callbacks.gradient_flow import GradientFlow, gradient_norms
from suite.errors import UserError
from suite.nn.gradient_probe import stepwise_states
from tasks.forecast.module import ForecastModule

META = {"scaler": {"mean": 0.0, "std": 1.0}, "horizon": 2, "window": 30, "season": 12, "column": "value"}  # ForecastMeta


def forecast_module(cell: str) -> ForecastModule:
    torch.manual_seed(0)
    return ForecastModule({"cell": cell, "hidden_size": 16, "num_layers": 1, "dropout": 0.0}, META)


def batch(n=8, w=30):
    g = torch.Generator().manual_seed(1)
    return {"x_raw": torch.randn(n, w, generator=g), "y_raw": torch.randn(n, 2, generator=g)}  # as the collate gives


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_stepwise_states_match_the_fused_layer_and_carry_the_total_gradient(cell):
    m = forecast_module(cell)
    x = torch.randn(4, 12, 1)
    fused, _ = m.net.rnn(x)  # (B, T, H)
    outs, states = stepwise_states(m.net.rnn, x)
    assert torch.allclose(outs, fused, atol=1e-5) and torch.allclose(states, fused, atol=1e-5)
    loss = outs[:, -1].sum()
    (g,) = torch.autograd.grad(loss, states)
    assert g[:, :-1].abs().sum() > 0  # earlier steps reached through the recurrence, not only the last
    (g_fused,) = torch.autograd.grad(fused[:, -1].sum(), fused)  # why the probe: fused outputs see only step T
    assert g_fused[:, :-1].abs().sum() == 0
    # the probe's gradient is the total derivative: nudging h_5 by eps changes the loss by eps * g[:, 5]
    eps, t = 1e-3, 5
    direction = torch.zeros_like(states)
    direction[:, t] = torch.randn(4, states.size(2))
    with torch.no_grad():
        state = None
        for s in range(12):
            out, state = m.net.rnn(x[:, s:s + 1], state)
            if s == t:
                h = out[:, 0] + eps * direction[:, t]
                state = (torch.cat([state[0][:-1], h[None]]), state[1]) if cell == "lstm" else h[None]
        nudged = out[:, 0].sum()
    assert float(nudged - loss.detach()) == pytest.approx(eps * float((g * direction).sum()), rel=0.05, abs=1e-7)


def test_sequence_outputs_loss_is_the_training_loss_of_the_last_window_state():
    m = forecast_module("lstm")
    b = batch()
    loss, states = m.sequence_outputs(b)
    x, y, _ = m._inputs(b)  # the window as the transform presents it, and its targets
    assert torch.allclose(loss, F.mse_loss(m(x), y), atol=1e-6)
    assert states.shape == (8, 30, 16)
    assert gradient_norms(m, b).shape == (30,)


def test_lstm_with_an_open_forget_gate_keeps_the_gradient_a_vanilla_rnn_loses():
    rnn, lstm = forecast_module("rnn"), forecast_module("lstm")
    with torch.no_grad():  # forget gate bias +5: c_t = 0.99 c_{t-1} + ..., the LSTM's reason to exist
        h = lstm.net.rnn.hidden_size
        lstm.net.rnn.bias_ih_l0[h:2 * h] = 5.0
    ratio = {name: float(n[0] / n[-1]) for name, n in (("rnn", gradient_norms(rnn, batch())),
                                                        ("lstm", gradient_norms(lstm, batch())))}
    assert ratio["rnn"] < 1e-4 and ratio["lstm"] > 1e3 * ratio["rnn"], ratio


def test_png_and_curve_written_with_one_point_per_step(tmp_path):
    m = forecast_module("rnn")
    cb = GradientFlow()
    norms = gradient_norms(m, batch(w=30))
    path = cb.write(norms, tmp_path, 3, m)
    assert path == tmp_path / "gradient_flow" / "epoch_003.png" and path.stat().st_size > 1000
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads(path.with_suffix(".json").read_text())
    assert len(saved["norms"]) == 30 and saved["cell"] == "rnn"


def test_a_module_without_sequence_outputs_is_one_clear_line():
    with pytest.raises(UserError) as err:
        GradientFlow().setup(None, pl.LightningModule(), "fit")
    msg = str(err.value)
    assert "\n" not in msg and "sequence_outputs" in msg and "callbacks=gradient_flow" in msg
