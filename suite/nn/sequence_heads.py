"""Heads over recurrent output sequences: masked pooling for sequence classifiers (sentiment) and a
packed RNN over precomputed per-step features (taggers that concatenate word and character vectors)."""
from __future__ import annotations

import torch
from torch import nn

from suite.errors import UserError
from suite.nn.cells import check_cell
from suite.nn.cells import RNNS
from suite.nn.padded_rnn import run_rnn

POOLINGS = ("max", "mean", "last")


def length_mask(lengths: torch.Tensor, steps: int) -> torch.Tensor:
    """(B,) lengths -> (B, T) bool mask, True at real steps."""
    return torch.arange(steps, device=lengths.device).unsqueeze(0) < lengths.unsqueeze(1)


def masked_pool(states: torch.Tensor, lengths: torch.Tensor, how: str, bidirectional: bool) -> torch.Tensor:
    """states (B, T, D), lengths (B,) -> (B, D); padded steps never contribute.

    `last` takes the forward half at the last real step and (bidirectional) the backward half at
    step 0, i.e. both directions' final states, read from the output sequence so that the
    gradient reaches every step through `states`.
    """
    lengths = lengths.to(states.device)
    mask = length_mask(lengths, states.size(1)).unsqueeze(-1)  # (B, T, 1)
    if how == "max":
        return states.masked_fill(~mask, float("-inf")).amax(dim=1)  # (B, D)
    if how == "mean":
        return (states * mask).sum(dim=1) / lengths.clamp(min=1).unsqueeze(1).to(states.dtype)  # (B, D)
    if how == "last":
        idx = (lengths - 1).clamp(min=0).view(-1, 1, 1).expand(-1, 1, states.size(2))  # (B, 1, D)
        last = states.gather(1, idx).squeeze(1)  # (B, D)
        if not bidirectional:
            return last
        half = states.size(2) // 2
        return torch.cat([last[:, :half], states[:, 0, half:]], dim=1)  # (B, D)
    raise UserError(f"unknown pooling '{how}': set model.classifier.pooling to one of {', '.join(POOLINGS)}")


class PooledClassifier(nn.Module):
    """Pool a (B, T, D) sequence, then dropout -> hidden layer -> class logits.
    `bidirectional` says how the states were made (for `last` pooling); the rest comes from the YAML."""

    def __init__(self, in_dim: int, n_classes: int, *, pooling: str, hidden_size: int, dropout: float,
                 bidirectional: bool):
        super().__init__()
        if pooling not in POOLINGS:
            raise UserError(f"unknown pooling '{pooling}': set model.classifier.pooling to one of {', '.join(POOLINGS)}")
        self.pooling, self.bidirectional = pooling, bidirectional
        self.mlp = nn.Sequential(nn.Dropout(dropout), nn.Linear(in_dim, hidden_size), nn.Tanh(), nn.Dropout(dropout),
                                 nn.Linear(hidden_size, n_classes))

    def forward(self, states: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.mlp(masked_pool(states, lengths, self.pooling, self.bidirectional))  # (B, C)


class PackedRNN(nn.Module):
    """lstm | gru | rnn over (B, T, F) features with lengths; padding never reaches a real step.
    The sizes come from the task's YAML (e.g. model.encoder), the one place that holds their defaults;
    `dropout` acts between stacked layers only."""

    def __init__(self, input_size: int, *, cell: str, hidden_size: int, num_layers: int, bidirectional: bool,
                 dropout: float):
        super().__init__()
        self.rnn = RNNS[check_cell(cell)](input_size, hidden_size, num_layers=num_layers, batch_first=True,
                                          bidirectional=bidirectional, dropout=dropout if num_layers > 1 else 0.0)
        self.out_dim = hidden_size * (2 if bidirectional else 1)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """x (B, T, F), lengths (B,) -> (B, T, D), zero at padded steps."""
        return run_rnn(self.rnn, x, lengths)  # (B, T, D)
