"""Text encoder: embeddings -> (Bi)LSTM/GRU/RNN; padding never reaches a real step (suite.nn.padded_rnn)."""
from __future__ import annotations

import torch
from torch import nn

from suite.nn.cells import RNNS, check_cell
from suite.nn.padded_rnn import run_rnn


class RecurrentTextEncoder(nn.Module):
    # the sizes come from the task's YAML (model.encoder), the one place that holds their defaults
    def __init__(self, vocab_size: int, *, cell: str, embed_size: int, hidden_size: int, num_layers: int,
                 bidirectional: bool, dropout: float, pad_id: int = 0):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size, padding_idx=pad_id)
        self.dropout = nn.Dropout(dropout)
        self.rnn = RNNS[check_cell(cell)](embed_size, hidden_size, num_layers=num_layers, batch_first=True,
                                          bidirectional=bidirectional, dropout=dropout if num_layers > 1 else 0.0)
        self.out_dim = hidden_size * (2 if bidirectional else 1)

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """tokens (B, S), lengths (B,) -> outputs (B, S, D) zero at padding, summary (B, D).

        The summary is the last layer's final state (both directions concatenated)."""
        emb = self.dropout(self.embed(tokens))  # (B, S, E)
        out = run_rnn(self.rnn, emb, lengths)  # (B, S, D)
        # the final states: forward at each last real token, backward at the first
        last = out[torch.arange(out.size(0), device=out.device), lengths.to(out.device) - 1]  # (B, D)
        if not self.rnn.bidirectional:
            return out, last
        h = self.rnn.hidden_size
        return out, torch.cat([last[:, :h], out[:, 0, h:]], 1)  # (B, 2H)
