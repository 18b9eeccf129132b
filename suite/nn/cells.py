"""One interface over LSTM, GRU and vanilla RNN cells: the state is always a tuple, h first."""
from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call

CELLS = ("lstm", "gru", "rnn")
# the fused whole-sequence layers (oneDNN / cuDNN kernels) by cell name
RNNS = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}
_TEMPLATES: dict[tuple, nn.RNNBase] = {}  # one-layer, one-direction stand-ins, run with other weights


def fused_template(kind: type, input_size: int, hidden_size: int) -> nn.RNNBase:
    """A one-layer, one-direction fused layer to run through torch.func.functional_call with some
    other module's weights: kept off every module tree (its own weights are never used), built
    once per shape. Built without touching the global random state: the first run in a process
    would otherwise draw numbers that later runs (a sweep, a resume) do not."""
    key = (kind, input_size, hidden_size)
    if key not in _TEMPLATES:
        with torch.random.fork_rng(devices=[]):
            _TEMPLATES[key] = kind(input_size, hidden_size, batch_first=True)
    return _TEMPLATES[key]


def check_cell(cell: str) -> str:
    from suite.errors import UserError

    if cell not in CELLS:
        raise UserError(f"unknown cell '{cell}': set the model's cell key (model.cell, model.encoder.cell or "
                        f"model.decoder.cell) to one of {', '.join(CELLS)}")
    return cell


class RecurrentCell(nn.Module):
    """lstm state = (h, c); gru and rnn state = (h,). Each tensor is (N, H)."""

    def __init__(self, cell: str, input_size: int, hidden_size: int):
        super().__init__()
        self.kind = check_cell(cell)
        self.hidden_size = hidden_size
        cls = {"lstm": nn.LSTMCell, "gru": nn.GRUCell, "rnn": nn.RNNCell}[cell]
        self.cell = cls(input_size, hidden_size)

    @property
    def state_size(self) -> int:
        return 2 if self.kind == "lstm" else 1

    def forward(self, x: torch.Tensor, state: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
        if self.kind == "lstm":
            return self.cell(x, state)  # (N, I) -> ((N, H), (N, H))
        return (self.cell(x, state[0]),)  # (N, I) -> ((N, H),)

    def sequence(self, x: torch.Tensor, state: tuple[torch.Tensor, ...]) -> torch.Tensor:
        """All T steps at once through the fused (oneDNN / cuDNN) layer, with this cell's weights:
        x (N, T, I), state of (N, H) tensors -> outputs h_1..h_T (N, T, H)."""
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        weights = {f"{name}_l0": getattr(self.cell, name) for name in names}
        hx = tuple(s.unsqueeze(0) for s in state)  # (1, N, H): the fused layer's layout
        template = fused_template(RNNS[self.kind], self.cell.input_size, self.hidden_size)
        out, _ = functional_call(template, weights, (x, hx if self.kind == "lstm" else hx[0]))
        return out

    def zero_state(self, n: int, like: torch.Tensor) -> tuple[torch.Tensor, ...]:
        h = like.new_zeros(n, self.hidden_size)
        return tuple(h.clone() for _ in range(self.state_size))
