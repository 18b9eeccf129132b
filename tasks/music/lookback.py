"""melody_rnn with `model.attention=N`: the LSTM language model plus an attention over its own past,
so a phrase heard bars ago can be copied (the idea of Magenta's Attention RNN, in the form of an
induction head: find the past step whose context matches now, predict what followed it there).

Step t queries with the LSTM state h_t (which has read events up to t-1) the keys of earlier
states h_j, j < t; the value of h_j is the event that followed it (the input at j+1). A null slot
lets a step attend to nothing. The context is added to h_t before the softmax. The memory (keys,
inputs) travels in the state, so sampling costs one step per event.
"""
from __future__ import annotations

import math

import torch
from torch import nn

from suite.nn.language_model import RecurrentLM


class AttentiveLM(RecurrentLM):
    def __init__(self, vocab_size: int, *, attention: int, pad_id: int | None = None, **sizes):
        super().__init__(vocab_size, pad_id=pad_id, **sizes)
        hidden = sizes["hidden_size"]
        self.query = nn.Linear(hidden, attention)
        self.key = nn.Linear(hidden, attention)
        self.value = nn.Embedding(vocab_size, attention)  # the event that followed a matched step
        self.null = nn.Parameter(torch.zeros(()))  # the score of attending to nothing
        self.mix = nn.Linear(attention, hidden)

    def forward(self, x: torch.Tensor, state=None):
        """ids (B, T) -> (logits (B, T, V), states (B, T, H), (rnn state, keys (B, N, A), inputs (B, N)))."""
        rnn_state, past_keys, past_inputs = state if state is not None else (None, None, None)
        states, rnn_state = self.rnn(self.embed(x), rnn_state)  # (B, T, H)
        keys, inputs = self.key(states), x  # (B, T, A), (B, T)
        if past_keys is not None:
            keys, inputs = torch.cat([past_keys, keys], 1), torch.cat([past_inputs, inputs], 1)  # (B, N, .)
        n, t = keys.shape[1], x.shape[1]
        scores = self.query(states) @ keys[:, :-1].transpose(1, 2) / math.sqrt(keys.shape[-1])  # (B, T, N-1)
        now = torch.arange(n - t, n, device=x.device)[:, None]  # (T, 1): the global step of each query
        scores = scores.masked_fill(torch.arange(n - 1, device=x.device)[None] >= now, -float("inf"))  # j < t only
        null = self.null.expand(*scores.shape[:2], 1)  # (B, T, 1)
        weights = torch.softmax(torch.cat([null, scores], -1), -1)[..., 1:]  # (B, T, N-1)
        context = weights @ self.value(inputs[:, 1:])  # (B, T, A): what followed the matched steps
        logits = self.out(self.drop(states + self.mix(context)))  # (B, T, V)
        return logits, states, (rnn_state, keys, inputs)
