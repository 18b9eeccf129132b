"""LSTM decoder with Luong attention (general / dot) or Bahdanau (additive) scoring and input feeding.

Luong et al. (2015): h_t = LSTM([y_{t-1}; h~_{t-1}], state); c_t = attend(h_t, memory);
h~_t = tanh(W_c [c_t; h_t]); p(y_t) = softmax(W_o h~_t). With input_feeding=false the whole
teacher-forced sequence runs through the fused (oneDNN / cuDNN) LSTM in one call; with it, each
step runs the layer's own weights through torch's single-step cell functions, which cost far
less per call than a one-step fused layer (setup of the fused kernel dominates at T=1).
State tuples are batch-first so suite.nn.search can reorder beams with index_select(0).
"""
from __future__ import annotations

import torch
from torch import nn

from suite.errors import UserError
from suite.nn.attention import AdditiveAttention
from suite.nn.cells import RNNS

SCORES = ("general", "dot", "bahdanau")
CELL_FUNCTIONS = {"lstm": "lstm_cell", "gru": "gru_cell", "rnn": "rnn_tanh_cell"}  # torch.<name>, looked up per call


class LuongDecoder(nn.Module):
    # the sizes come from the task's YAML (model.decoder), the one place that holds their defaults
    def __init__(self, vocab_size: int, memory_dim: int, *, cell: str, embed_size: int, hidden_size: int,
                 num_layers: int, attention: str, input_feeding: bool, dropout: float, tie_embeddings: bool,
                 pad_id: int = 0):
        super().__init__()
        if attention not in SCORES:
            raise UserError(f"unknown attention '{attention}': set model.decoder.attention to one of {', '.join(SCORES)}")
        if attention == "dot" and memory_dim != hidden_size:
            raise UserError(f"dot attention needs encoder output size ({memory_dim}) == decoder hidden_size "
                            f"({hidden_size}): use attention=general or match the sizes")
        self.kind, self.score_kind, self.input_feeding = cell, attention, input_feeding
        self.num_layers, self.hidden_size = num_layers, hidden_size
        self.embed = nn.Embedding(vocab_size, embed_size, padding_idx=pad_id)
        in_size = embed_size + (hidden_size if input_feeding else 0)
        self.rnn = RNNS[cell](in_size, hidden_size, num_layers=num_layers, batch_first=True,
                              dropout=dropout if num_layers > 1 else 0.0)
        self.bridge = nn.Linear(memory_dim, hidden_size)  # encoder summary -> initial decoder state
        if attention == "general":
            self.key = nn.Linear(memory_dim, hidden_size, bias=False)
        elif attention == "bahdanau":
            self.additive = AdditiveAttention(hidden_size, memory_dim, hidden_size)
        self.combine = nn.Linear(memory_dim + hidden_size, hidden_size, bias=False)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(hidden_size, vocab_size)
        if tie_embeddings:
            if embed_size != hidden_size:
                raise UserError("tie_embeddings needs model.decoder.embed_size == model.decoder.hidden_size")
            self.output.weight = self.embed.weight

    # --- interface shared with suite.nn.search -------------------------------------------------
    def start(self, memory: torch.Tensor, mask: torch.Tensor, summary: torch.Tensor):
        """memory (B, S, D), mask (B, S) True at real tokens, summary (B, D) -> state, cache."""
        h0 = torch.tanh(self.bridge(summary)).unsqueeze(1).expand(-1, self.num_layers, -1).contiguous()  # (B, L, H)
        state = (h0, torch.zeros_like(h0)) if self.kind == "lstm" else (h0,)
        feed = memory.new_zeros(memory.size(0), self.hidden_size)  # (B, H): h~_0
        keys = self.key(memory) if self.score_kind == "general" else (
            self.additive.project_keys(memory) if self.score_kind == "bahdanau" else memory)  # (B, S, H|A)
        return (*state, feed), (memory, keys, mask)

    def step(self, tokens: torch.Tensor, state, cache):
        """tokens (N,) -> logits (N, V), new state, attention (N, S)."""
        *rnn_state, feed = state
        emb = self.embed(tokens).unsqueeze(1)  # (N, 1, E)
        x = torch.cat([emb, feed.unsqueeze(1)], 2) if self.input_feeding else emb  # (N, 1, E [+ H])
        out, rnn_state = self._one_step(x.squeeze(1), rnn_state)  # (N, H)
        attentional, alpha = self._attend(out.unsqueeze(1), cache)  # (N, 1, H), (N, 1, S)
        feed = attentional.squeeze(1)
        return self.output(self.dropout(feed)), (*rnn_state, feed), alpha.squeeze(1)

    # --- training ------------------------------------------------------------------------------
    def forward(self, tokens_in: torch.Tensor, state, cache):
        """Teacher forcing: tokens_in (B, T) -> logits (B, T, V), attention (B, T, S)."""
        if not self.input_feeding:  # one fused recurrent call over all T steps
            *rnn_state, _ = state
            out, _ = self._run(self.embed(tokens_in), rnn_state)  # (B, T, H)
            attentional, alphas = self._attend(out, cache)  # (B, T, H), (B, T, S)
            return self.output(self.dropout(attentional)), alphas
        feats, alphas = [], []
        for t in range(tokens_in.size(1)):
            *rnn_state, feed = state
            x = torch.cat([self.embed(tokens_in[:, t]), feed], 1)  # (B, E + H)
            out, rnn_state = self._one_step(x, rnn_state)  # (B, H)
            attentional, alpha = self._attend(out.unsqueeze(1), cache)
            state = (*rnn_state, attentional.squeeze(1))
            feats.append(attentional)
            alphas.append(alpha)
        feats = torch.cat(feats, 1)  # (B, T, H)
        return self.output(self.dropout(feats)), torch.cat(alphas, 1)  # one projection: (B, T, V)

    # --- pieces --------------------------------------------------------------------------------
    def _run(self, x: torch.Tensor, state: list) -> tuple[torch.Tensor, tuple]:
        """Batch-first state tensors (N, L, H) <-> the (L, N, H) that nn.LSTM/GRU/RNN use."""
        hx = tuple(s.transpose(0, 1).contiguous() for s in state)
        out, new = self.rnn(x, hx if self.kind == "lstm" else hx[0])
        new = new if isinstance(new, tuple) else (new,)
        return out, tuple(s.transpose(0, 1) for s in new)

    def _one_step(self, x: torch.Tensor, state) -> tuple[torch.Tensor, tuple]:
        """One time step through every layer: x (N, I), state tensors (N, L, H) -> (N, H), new state."""
        cell = getattr(torch, CELL_FUNCTIONS[self.kind])  # by name: profilers and benchmarks can wrap it
        hs, cs, out = [], [], x
        for layer in range(self.num_layers):
            weights = [getattr(self.rnn, f"{name}_l{layer}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
            if self.kind == "lstm":
                h, c = cell(out, (state[0][:, layer], state[1][:, layer]), *weights)
                cs.append(c)
            else:
                h = cell(out, state[0][:, layer], *weights)
            hs.append(h)
            out = h
            if layer < self.num_layers - 1 and self.training and self.rnn.dropout:
                out = torch.nn.functional.dropout(out, self.rnn.dropout)  # as nn.LSTM does between layers
        new = (torch.stack(hs, 1),) + ((torch.stack(cs, 1),) if self.kind == "lstm" else ())
        return out, new  # (N, H), tuple of (N, L, H)

    def _attend(self, queries: torch.Tensor, cache) -> tuple[torch.Tensor, torch.Tensor]:
        """queries (N, T, H) -> attentional vectors h~ (N, T, H) and weights (N, T, S)."""
        memory, keys, mask = cache
        if self.score_kind == "bahdanau":
            energy = torch.tanh(keys.unsqueeze(1) + self.additive.query(queries).unsqueeze(2))  # (N, T, S, A)
            scores = self.additive.score(energy).squeeze(3)  # (N, T, S)
        else:
            scores = torch.bmm(queries, keys.transpose(1, 2))  # (N, T, S)
        scores = scores.masked_fill(~mask.unsqueeze(1), float("-inf"))
        alpha = torch.softmax(scores, dim=2)  # (N, T, S)
        context = torch.bmm(alpha, memory)  # (N, T, D)
        return torch.tanh(self.combine(torch.cat([context, queries], 2))), alpha  # (N, T, H)
