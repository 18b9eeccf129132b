"""Attention decoder with a pointer (copy) and coverage, after See, Liu & Manning (2017).

At step t, with decoder input x_t = [emb(y_{t-1}); h*_{t-1}] and cell state s_t:
  e_ti = v^T tanh(W_h h_i + W_s s_t + w_c c_ti + b)     additive attention (+ coverage c_t when on)
  a_t = softmax(e_t),  h*_t = sum_i a_ti h_i            context vector
  P_vocab = softmax(W' (W [s_t; h*_t] + b) + b')
  p_gen = sigmoid(w_h^T h*_t + w_s^T s_t + w_x^T x_t + b_ptr)          (copy on)
  P(w) = p_gen P_vocab(w) + (1 - p_gen) sum_{i: w_i = w} a_ti          over vocab + the document's OOVs
  coverage c_{t+1} = c_t + a_t,  covloss_t = sum_i min(a_ti, c_ti)
With copy off (and coverage off) it is the plain attention seq2seq baseline. `step` follows
suite.nn.search's interface; its scores span the extended vocabulary, and fed-back ids of copied
OOV words (>= V) are read as <unk>.
"""
from __future__ import annotations

import torch
from torch import nn

from suite.nn.cells import check_cell

CELLS = {"lstm": nn.LSTMCell, "gru": nn.GRUCell, "rnn": nn.RNNCell}
FLOOR = 1e-12  # probability floor before the log: extended slots no document word fills have exactly 0


class PointerDecoder(nn.Module):
    # the sizes come from the task's YAML (model.decoder), the one place that holds their defaults
    def __init__(self, vocab_size: int, memory_dim: int, *, cell: str, embed_size: int, hidden_size: int,
                 attention_size: int, dropout: float, copy: bool, coverage: bool, pad_id: int, unk_id: int):
        super().__init__()
        self.kind, self.copy, self.coverage = check_cell(cell), bool(copy), bool(coverage)
        self.vocab_size, self.unk_id = vocab_size, unk_id
        self.embed = nn.Embedding(vocab_size, embed_size, padding_idx=pad_id)
        self.cell = CELLS[self.kind](embed_size + memory_dim, hidden_size)
        self.bridge = nn.Linear(memory_dim, hidden_size)  # encoder summary -> initial decoder state
        self.key = nn.Linear(memory_dim, attention_size)  # W_h h_i + b, once per document
        self.query = nn.Linear(hidden_size, attention_size, bias=False)  # W_s s_t
        self.cov = nn.Linear(1, attention_size, bias=False) if self.coverage else None  # w_c c_ti
        self.energy = nn.Linear(attention_size, 1, bias=False)  # v
        self.hidden = nn.Linear(hidden_size + memory_dim, hidden_size)  # W [s_t; h*_t] + b
        self.output = nn.Linear(hidden_size, vocab_size)  # W' . + b'
        self.gen = nn.Linear(2 * memory_dim + hidden_size + embed_size, 1) if self.copy else None
        self.dropout = nn.Dropout(dropout)

    # --- interface shared with suite.nn.search -------------------------------------------------
    def start(self, memory: torch.Tensor, mask: torch.Tensor, summary: torch.Tensor, src_ext: torch.Tensor,
              n_oov: int):
        """memory (B, S, D), mask (B, S), summary (B, D), src_ext (B, S) extended ids -> state, cache.
        state: (h, [c,] context (B, D), coverage (B, S)); cache: (memory, keys, mask, src_ext, slots)
        where slots (B, n_oov) only carries the number of extra (copy-only) ids through beam reordering."""
        h0 = torch.tanh(self.bridge(summary))  # (B, H)
        rnn = (h0, torch.zeros_like(h0)) if self.kind == "lstm" else (h0,)
        state = (*rnn, memory.new_zeros(memory.size(0), memory.size(2)), memory.new_zeros(mask.shape))
        slots = memory.new_zeros(memory.size(0), n_oov if self.copy else 0)
        return state, (memory, self.key(memory), mask, src_ext, slots)

    def step(self, tokens: torch.Tensor, state, cache):
        """tokens (N,) -> log-probabilities (N, V + n_oov), new state, attention (N, S)."""
        scores, state, alpha, _, _ = self._step(tokens, state, cache)
        return scores, state, alpha

    # --- training ------------------------------------------------------------------------------
    def forward(self, tokens_in: torch.Tensor, state, cache):
        """Teacher forcing: tokens_in (B, T) -> log-probabilities (B, T, V + n_oov), attention (B, T, S),
        p_gen (B, T) (1 without copy), coverage loss (B, T)."""
        outs, alphas, gens, covs = [], [], [], []
        for t in range(tokens_in.size(1)):
            scores, state, alpha, p_gen, cov_loss = self._step(tokens_in[:, t], state, cache)
            outs.append(scores)
            alphas.append(alpha)
            gens.append(p_gen)
            covs.append(cov_loss)
        return torch.stack(outs, 1), torch.stack(alphas, 1), torch.stack(gens, 1), torch.stack(covs, 1)

    # --- one step ------------------------------------------------------------------------------
    def _step(self, tokens: torch.Tensor, state, cache):
        memory, keys, mask, src_ext, slots = cache
        *rnn, context, coverage = state
        tokens = tokens.masked_fill(tokens >= self.vocab_size, self.unk_id)  # a copied OOV is fed back as <unk>
        emb = self.dropout(self.embed(tokens))  # (N, E)
        x = torch.cat([emb, context], 1)  # (N, E + D): input feeding of the last context
        if self.kind == "lstm":
            rnn = self.cell(x, (rnn[0], rnn[1]))
            h = rnn[0]
        else:
            h = self.cell(x, rnn[0])
            rnn = (h,)
        energy = keys + self.query(h).unsqueeze(1)  # (N, S, A)
        if self.cov is not None:
            energy = energy + self.cov(coverage.unsqueeze(2))  # (N, S, A)
        e = self.energy(torch.tanh(energy)).squeeze(2).masked_fill(~mask, float("-inf"))  # (N, S)
        alpha = torch.softmax(e, 1)  # (N, S)
        cov_loss = torch.minimum(alpha, coverage).sum(1)  # (N,)
        context = torch.bmm(alpha.unsqueeze(1), memory).squeeze(1)  # (N, D)
        logits = self.output(self.dropout(self.hidden(torch.cat([h, context], 1))))  # (N, V)
        new_state = (*rnn, context, coverage + alpha)
        if self.gen is None:
            return torch.log_softmax(logits.float(), 1), new_state, alpha, torch.ones_like(cov_loss), cov_loss
        p_gen = torch.sigmoid(self.gen(torch.cat([context, h, x], 1)))  # (N, 1)
        dist = torch.cat([p_gen * torch.softmax(logits.float(), 1), slots.new_zeros(slots.shape).float()], 1)  # (N, V+O)
        dist = dist.scatter_add(1, src_ext, (1.0 - p_gen) * alpha.float())  # copy mass onto each source word's id
        return torch.log(dist.clamp_min(FLOOR)), new_state, alpha, p_gen.squeeze(1), cov_loss
