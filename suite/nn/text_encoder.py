"""Text encoder: embeddings -> (Bi)LSTM/GRU/RNN over packed sequences, so padding is never computed."""
from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from suite.nn.cells import RNNS, check_cell


class RecurrentTextEncoder(nn.Module):
    def __init__(self, vocab_size: int, *, cell: str = "lstm", embed_size: int = 256, hidden_size: int = 256,
                 num_layers: int = 1, bidirectional: bool = True, dropout: float = 0.2, pad_id: int = 0):
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
        packed = pack_padded_sequence(emb, lengths.cpu(), batch_first=True, enforce_sorted=False)
        out, state = self.rnn(packed)
        out, _ = pad_packed_sequence(out, batch_first=True, total_length=tokens.size(1))  # (B, S, D)
        h = state[0] if isinstance(state, tuple) else state  # (layers * dirs, B, H)
        dirs = 2 if self.rnn.bidirectional else 1
        summary = h[-dirs:].transpose(0, 1).reshape(tokens.size(0), -1)  # (B, dirs * H)
        return out, summary
