"""Hidden states you can differentiate against: d loss / d h_t *through time* (callbacks=gradient_flow).

The output sequence of a fused nn.LSTM/GRU/RNN is not on the recurrent path (step t+1 reads the
layer's internal h_t, not the returned tensor), so autograd.grad(loss, outputs) is zero at every
step the loss does not read directly. `stepwise_states` runs the layer one step at a time and
routes every step's hidden state through a probe tensor `states` (B, T, H) holding the same
values: adding `states[:, t] - states[:, t].detach()` (exactly zero) makes d loss / d states[:, t]
the total derivative through all later steps, while outputs and parameter gradients are unchanged.
Unidirectional layers only (a reverse direction has no single "later").
"""
from __future__ import annotations

import torch
from torch import nn


def through(h: torch.Tensor, states: torch.Tensor, t: int) -> torch.Tensor:
    """h (B, H) plus zero that depends on states[:, t]: every later use of h is a path from the probe."""
    return h + (states[:, t] - states[:, t].detach())


def replace_top(state, h: torch.Tensor):
    """The layer's state with its top layer's h replaced by `h` (B, H), so the next step reads it."""
    if isinstance(state, tuple):  # lstm: (h_n, c_n), each (layers, B, H)
        return (torch.cat([state[0][:-1], h.unsqueeze(0)]), state[1])
    return torch.cat([state[:-1], h.unsqueeze(0)])  # gru / rnn: h_n (layers, B, H)


def stepwise_states(rnn: nn.RNNBase, x: torch.Tensor, state=None) -> tuple[torch.Tensor, torch.Tensor]:
    """x (B, T, I) -> (outputs (B, T, H), states (B, T, H) probe leaf with the same values)."""
    if rnn.bidirectional or not rnn.batch_first:
        raise ValueError("stepwise_states needs a unidirectional, batch_first recurrent layer")
    with torch.no_grad():
        values, _ = rnn(x, state)  # (B, T, H)
    states = values.detach().requires_grad_(True)
    outs = []
    for t in range(x.size(1)):
        out, state = rnn(x[:, t:t + 1], state)  # (B, 1, H)
        h = through(out[:, 0], states, t)  # (B, H)
        state = replace_top(state, h)
        outs.append(h)
    return torch.stack(outs, 1), states  # (B, T, H), (B, T, H)
