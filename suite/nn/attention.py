"""Additive (Bahdanau) attention with keys projected once per sequence."""
from __future__ import annotations

import torch
from torch import nn


class AdditiveAttention(nn.Module):
    """score(h, m_l) = v^T tanh(W_k m_l + W_q h); softmax over the L memory positions."""

    def __init__(self, query_dim: int, memory_dim: int, attention_dim: int):
        super().__init__()
        self.key = nn.Linear(memory_dim, attention_dim)
        self.query = nn.Linear(query_dim, attention_dim, bias=False)
        self.score = nn.Linear(attention_dim, 1, bias=False)

    def project_keys(self, memory: torch.Tensor) -> torch.Tensor:
        """Done once per sequence, not once per decoder step."""
        return self.key(memory)  # (B, L, D) -> (B, L, A)

    def forward(self, query: torch.Tensor, keys: torch.Tensor, memory: torch.Tensor,
                mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        energy = torch.tanh(keys + self.query(query).unsqueeze(1))  # (B, L, A)
        scores = self.score(energy).squeeze(2)  # (B, L)
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        alpha = torch.softmax(scores, dim=1)  # (B, L)
        context = torch.bmm(alpha.unsqueeze(1), memory).squeeze(1)  # (B, D)
        return context, alpha
