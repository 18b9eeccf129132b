"""A recurrent language model over token ids: embedding -> LSTM/GRU/RNN -> dropout -> softmax logits.

Shared by the character LM (charlm) and the melody-event LM (music); the caller carries the state
between calls (truncated BPTT, sampling one token at a time).
"""
from __future__ import annotations

import torch
from torch import nn

from suite.nn.cells import RNNS, check_cell


class RecurrentLM(nn.Module):
    # the sizes come from the task's YAML (model.*), the one place that holds their defaults
    def __init__(self, vocab_size: int, *, cell: str, embed_size: int, hidden_size: int, num_layers: int,
                 dropout: float, pad_id: int | None = None):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size, padding_idx=pad_id)
        self.rnn = RNNS[check_cell(cell)](embed_size, hidden_size, num_layers=num_layers, batch_first=True,
                                          dropout=dropout if num_layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, x: torch.Tensor, state=None):
        """ids (B, T) -> (logits (B, T, V), states (B, T, H), final state)."""
        states, state = self.rnn(self.embed(x), state)  # (B, T, E) -> (B, T, H)
        return self.out(self.drop(states)), states, state
