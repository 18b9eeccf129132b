"""Poly RNN: piano-roll frames -> LSTM (or GRU / RNN) -> an independent Bernoulli per key of the next
frame (Boulanger-Lewandowski et al. 2012's RNN baseline: the keys of one frame are independent given
the past frames).

The input layer is a linear map of the 0/1 frame (the sum of its keys' embeddings); the output
bias starts at the training marginal's log-odds, so the untrained model is the baseline.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from suite.nn.cells import RNNS, check_cell
from tasks.music.frames import KEYS


class PolyRNN(nn.Module):
    # the sizes come from the model YAML (model.*), the one place that holds their defaults
    def __init__(self, *, cell: str, embed_size: int, hidden_size: int, num_layers: int, dropout: float,
                 bias: list[float] | None = None):
        super().__init__()
        self.embed = nn.Linear(KEYS, embed_size)
        self.rnn = RNNS[check_cell(cell)](embed_size, hidden_size, num_layers=num_layers, batch_first=True,
                                          dropout=dropout if num_layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size, KEYS)
        if bias:
            with torch.no_grad():
                self.out.bias.copy_(torch.tensor(bias))

    def forward(self, x: torch.Tensor, state=None):
        """0/1 frames (B, T, 88), each the frame before the one predicted -> (logits (B, T, 88), state)."""
        states, state = self.rnn(self.embed(x), state)  # (B, T, E) -> (B, T, H)
        return self.out(self.drop(states)), state

    @staticmethod
    def frame_nll(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """-log p(frame), summed over the 88 keys: (B, T, 88) x2 -> (B, T)."""
        return F.binary_cross_entropy_with_logits(logits.float(), y, reduction="none").sum(-1)

    @torch.no_grad()
    def sample(self, primer: torch.Tensor, steps: int, temperature: float = 1.0, top_k: int | None = None,
               generator: torch.Generator | None = None) -> torch.Tensor:
        """`steps` frames (steps, 88) continuing the 0/1 `primer` frames (P, 88); empty: from silence.
        Each key is drawn from its Bernoulli (logits / temperature); top_k keeps a frame's k likeliest keys."""
        device = self.out.weight.device
        start = torch.zeros(1, 1, KEYS, device=device)  # the silent frame every piece is read after
        logits, state = self(torch.cat([start, primer.to(device).view(1, -1, KEYS)], dim=1))  # warm on the primer
        out = []
        for _ in range(steps):
            last = logits[0, -1].float().cpu() / max(temperature, 1e-6)  # (88,)
            probs = torch.sigmoid(last)
            if top_k:
                kth = torch.topk(last, min(int(top_k), KEYS)).values[-1]
                probs = probs.masked_fill(last < kth, 0.0)
            frame = torch.bernoulli(probs, generator=generator)  # (88,)
            out.append(frame)
            logits, state = self(frame.to(device).view(1, 1, KEYS), state)
        return torch.stack(out) if out else torch.zeros(0, KEYS)
