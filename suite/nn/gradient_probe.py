"""Hidden states you can differentiate against: d loss / d h_t *through time* (callbacks=gradient_flow).

The output sequence of a fused nn.LSTM/GRU/RNN is not on the recurrent path (step t+1 reads the
layer's internal h_t, not the returned tensor), so autograd.grad(loss, outputs) is zero at every
step the loss does not read directly. `stepwise_states` runs every layer and direction one step at
a time with the layer's own weights (torch.lstm_cell & co.), masking padded steps exactly as
packing does (the forward direction stops at each row's length, the reverse one starts there from
a zero state). The top layer's hidden states pass through a probe tensor `states` (B, T, D) of the
same values: adding `states[:, t] - states[:, t].detach()` (exactly zero) makes
d loss / d states[:, t] the total derivative through all later (forward half) or earlier (reverse
half) steps, while outputs and parameter gradients are unchanged. Slow by design: it is meant for
one diagnostic batch, not for training; dropout between layers is not applied (eval).
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


def _cell(rnn: nn.RNNBase):
    if isinstance(rnn, nn.LSTM):
        return lambda x, s, *w: torch.lstm_cell(x, s, *w)
    if isinstance(rnn, nn.GRU):
        return lambda x, s, *w: (torch.gru_cell(x, s[0], *w),)
    step = torch.rnn_tanh_cell if rnn.nonlinearity == "tanh" else torch.rnn_relu_cell
    return lambda x, s, *w: (step(x, s[0], *w),)


def _weights(rnn: nn.RNNBase, layer: int, reverse: bool) -> tuple:
    sfx = f"_l{layer}" + ("_reverse" if reverse else "")
    return tuple(getattr(rnn, f"{name}{sfx}", None) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))


def stepwise_states(rnn: nn.RNNBase, x: torch.Tensor, lengths: torch.Tensor | None = None
                    ) -> tuple[torch.Tensor, torch.Tensor]:
    """x (B, T, I), lengths (B,) or None (no padding) -> (outputs (B, T, D), states (B, T, D) probe
    leaf with the same values); starts from a zero state. outputs equal the packed layer's padded
    outputs (zero at padded steps)."""
    if not rnn.batch_first or getattr(rnn, "proj_size", 0):
        raise ValueError("stepwise_states needs a batch_first layer without projections")
    B, T, _ = x.shape
    if lengths is None:
        lengths = torch.full((B,), T, dtype=torch.long)
    H, dirs, step = rnn.hidden_size, 2 if rnn.bidirectional else 1, _cell(rnn)
    steps = torch.arange(T, device=x.device).unsqueeze(0)  # (1, T)
    mask = (steps < lengths.to(x.device).unsqueeze(1)).unsqueeze(-1)  # (B, T, 1)
    n_state = 2 if isinstance(rnn, nn.LSTM) else 1
    states = None
    inp = x
    for layer in range(rnn.num_layers):
        top = layer == rnn.num_layers - 1
        if top:
            with torch.no_grad():  # the probe holds the top layer's values
                values = _layer(rnn, step, inp, mask, layer, dirs, n_state, H, None)
            states = values.detach().requires_grad_(True)  # (B, T, D)
        inp = _layer(rnn, step, inp, mask, layer, dirs, n_state, H, states if top else None)
    return inp, states


def _layer(rnn, step, inp, mask, layer, dirs, n_state, H, probe):
    B, T, _ = inp.shape
    halves = []
    for d in range(dirs):
        w = _weights(rnn, layer, reverse=d == 1)
        s = tuple(inp.new_zeros(B, H) for _ in range(n_state))
        outs = [None] * T
        for t in (range(T) if d == 0 else range(T - 1, -1, -1)):
            new = step(inp[:, t], s, *w)
            h = new[0]
            if probe is not None:
                h = through(h, probe[..., d * H:(d + 1) * H], t)  # (B, H), on the recurrent path
            new = (h, *new[1:])
            on = mask[:, t]  # (B, 1): padded steps keep the state (zero before a reverse pass starts)
            s = tuple(torch.where(on, n, o) for n, o in zip(new, s))
            outs[t] = h * on  # zero at padded steps, as pad_packed_sequence gives
        halves.append(torch.stack(outs, 1))  # (B, T, H)
    return torch.cat(halves, -1)  # (B, T, dirs * H)
