"""The Show, Attend and Tell decoder (Xu et al., 2015): an LSTM with soft attention over an image
grid, gating scalar and deep output; with attention=false it is Show and Tell (Vinyals et al., 2015).

The decoder exposes `start` and `step` so that greedy and beam search (suite.nn.search) drive
every attention decoder the same way; `forward` is the teacher-forced training path.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from suite.nn.attention import AdditiveAttention
from suite.nn.cells import RecurrentCell


class ShowAttendTellDecoder(nn.Module):
    # the sizes and switches come from the task's YAML (model.decoder), the one place that holds their defaults
    def __init__(self, vocab_size: int, memory_dim: int, *, cell: str, attention: bool, embed_size: int,
                 hidden_size: int, attention_size: int, dropout: float, gate: bool, deep_output: bool,
                 pad_id: int):
        super().__init__()
        self.use_attention = attention
        self.use_gate = gate and attention
        self.deep_output = deep_output
        self.embed = nn.Embedding(vocab_size, embed_size, padding_idx=pad_id)
        context_dim = memory_dim if attention else 0
        self.cell = RecurrentCell(cell, embed_size + context_dim, hidden_size)
        if attention:
            self.attention = AdditiveAttention(hidden_size, memory_dim, attention_size)
            # SAT: the initial state is predicted from the mean annotation vector
            self.init_state = nn.ModuleList(nn.Linear(memory_dim, hidden_size) for _ in range(self.cell.state_size))
        else:
            # Show and Tell: the image is the first input word, from a zero state
            self.image_to_input = nn.Linear(memory_dim, embed_size)
        if self.use_gate:
            self.gate = nn.Linear(hidden_size, memory_dim)
        if deep_output:
            self.hidden_to_out = nn.Linear(hidden_size, embed_size)
            if attention:
                self.context_to_out = nn.Linear(memory_dim, embed_size, bias=False)
            out_dim = embed_size
        else:
            out_dim = hidden_size
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(out_dim, vocab_size)

    # --- interface shared with suite.nn.search -------------------------------------------------
    def start(self, memory: torch.Tensor, mask: torch.Tensor | None = None):
        """memory (B, L, D) -> initial state tuple and the per-sequence cache (memory, keys, mask)."""
        if self.use_attention:
            if mask is None:
                mean = memory.mean(1)  # (B, D)
            else:
                m = mask.unsqueeze(2).to(memory.dtype)  # (B, L, 1)
                mean = (memory * m).sum(1) / m.sum(1).clamp_min(1)  # (B, D)
            state = tuple(torch.tanh(lin(mean)) for lin in self.init_state)  # each (B, H)
            keys = self.attention.project_keys(memory)  # (B, L, A)
        else:
            image = self.image_to_input(memory.mean(1))  # (B, E)
            state = self.cell(image, self.cell.zero_state(memory.size(0), memory))
            keys = memory.new_zeros(memory.size(0), 0)  # no attention keys
        if mask is None:
            mask = torch.ones(memory.shape[:2], dtype=torch.bool, device=memory.device)  # (B, L)
        return state, (memory, keys, mask)

    def step(self, tokens: torch.Tensor, state, cache):
        """tokens (N,) -> logits (N, V), new state, attention weights (N, L) or None."""
        features, state, alpha = self._advance(tokens, state, cache)
        return self.output(self.dropout(features)), state, alpha

    # --- training -------------------------------------------------------------------------------
    def forward(self, memory: torch.Tensor, tokens_in: torch.Tensor, mask: torch.Tensor | None = None,
                sample_prob: float = 0.0):
        """Teacher forcing. memory (B, L, D), tokens_in (B, T) -> logits (B, T, V), alphas (B, T, L)|None.

        With sample_prob > 0 (scheduled sampling) each input word is replaced, with that
        probability, by the model's own previous prediction.
        """
        state, cache = self.start(memory, mask)
        if not self.use_attention and sample_prob == 0:  # no step depends on the last one's output:
            emb = self.embed(tokens_in)  # (B, T, E)           # one fused call over all T steps
            h = self.cell.sequence(emb, state)  # (B, T, H)
            feats = emb + self.hidden_to_out(h) if self.deep_output else h  # (B, T, E|H)
            return self.output(self.dropout(feats)), None
        # Captions end at different steps: sorted longest first, step t only runs the captions still
        # going (the first counts[t] rows), so no recurrent step is spent on padding
        b = tokens_in.size(0)
        lengths = (tokens_in != self.embed.padding_idx).sum(1)  # (B,) real input words
        order = lengths.argsort(descending=True, stable=True)  # (B,)
        tokens_in = tokens_in[order]
        state, cache = tuple(s[order] for s in state), tuple(c[order] for c in cache)
        counts = (lengths[order].unsqueeze(1) > torch.arange(tokens_in.size(1), device=lengths.device)).sum(0).tolist()
        feats, alphas = [], []
        for t, n in enumerate(counts):
            state, cache = tuple(s[:n] for s in state), tuple(c[:n] for c in cache)
            prev = tokens_in[:n, t]
            if t > 0 and sample_prob > 0:
                own = self.output(feats[-1][:n]).argmax(-1)  # (n,)
                use_own = torch.rand(prev.shape, device=prev.device) < sample_prob
                prev = torch.where(use_own, own, prev)
            f, state, alpha = self._advance(prev, state, cache)  # (n, F), ..., (n, L)|None
            feats.append(f)
            alphas.append(alpha)
        restore = order.argsort()  # (B,): back to the caller's order
        feats = torch.stack([F.pad(f, (0, 0, 0, b - f.size(0))) for f in feats], 1)[restore]  # (B, T, F), 0 past the end
        logits = self.output(self.dropout(feats))  # one projection over all steps: (B, T, V)
        if not self.use_attention:
            return logits, None
        return logits, torch.stack([F.pad(a, (0, 0, 0, b - a.size(0))) for a in alphas], 1)[restore]  # (B, T, L)

    def _advance(self, tokens, state, cache):
        memory, keys, mask = cache
        emb = self.embed(tokens)  # (N, E)
        alpha = context = None
        if self.use_attention:
            context, alpha = self.attention(state[0], keys, memory, mask)  # (N, D), (N, L)
            if self.use_gate:
                context = torch.sigmoid(self.gate(state[0])) * context
            x = torch.cat([emb, context], 1)  # (N, E + D)
        else:
            x = emb
        state = self.cell(x, state)
        h = state[0]  # (N, H)
        if not self.deep_output:
            return h, state, alpha
        out = emb + self.hidden_to_out(h)  # (N, E)
        if context is not None:
            out = out + self.context_to_out(context)
        return out, state, alpha
