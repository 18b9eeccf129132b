"""Greedy and batched beam search, written once for every decoder with `start`/`step`.

A decoder provides
    start(memory, mask) -> (state, cache)       state: tuple of (B, H); cache: tuple of (B, ...)
    step(tokens, state, cache) -> (logits, state, alpha)   tokens (N,), logits (N, V), alpha (N, L)|None
Beam search runs all B x K hypotheses as one batch of N = B*K rows.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass
class Hypotheses:
    tokens: torch.Tensor               # (B, T) best hypothesis per input, EOS then padding with EOS
    lengths: torch.Tensor              # (B,) tokens up to and including EOS (T when it never ended)
    scores: torch.Tensor               # (B,) total log-probability (length-normalised for beams if asked)
    alphas: torch.Tensor | None = None  # (B, T, L) attention weights per output step


def length_penalty(lengths: torch.Tensor, alpha: float) -> torch.Tensor:
    """GNMT length penalty ((5 + |y|) / 6)^alpha; alpha=0 gives 1 (rank by total log-probability)."""
    return ((5.0 + lengths.float()) / 6.0) ** alpha


def _stack_alphas(alphas: list) -> torch.Tensor | None:
    return torch.stack(alphas, 1) if alphas and alphas[0] is not None else None


@torch.no_grad()
def greedy_search(decoder, state, cache, *, bos: int, eos: int, max_len: int) -> Hypotheses:
    n = state[0].size(0)
    tokens = torch.full((n,), bos, dtype=torch.long, device=state[0].device)
    finished = torch.zeros(n, dtype=torch.bool, device=tokens.device)
    lengths = torch.zeros(n, dtype=torch.long, device=tokens.device)
    scores = torch.zeros(n, device=tokens.device)
    out, alphas = [], []
    for _ in range(max_len):
        logits, state, alpha = decoder.step(tokens, state, cache)
        if alpha is not None:
            alpha = alpha.masked_fill(finished.unsqueeze(1), 0.0)  # nothing is attended after EOS
        logp = torch.log_softmax(logits.float(), -1)  # (N, V)
        best, tokens = logp.max(-1)  # (N,), (N,)
        tokens = tokens.masked_fill(finished, eos)
        scores += best.masked_fill(finished, 0.0)
        lengths += (~finished).long()
        finished |= tokens == eos
        out.append(tokens)
        alphas.append(alpha)
        if finished.all():
            break
    return Hypotheses(torch.stack(out, 1), lengths, scores, _stack_alphas(alphas))


@torch.no_grad()
def beam_search(decoder, state, cache, *, bos: int, eos: int, max_len: int, beam_size: int,
                length_alpha: float = 0.0) -> Hypotheses:
    """Batched beam search. Ended beams stay in the beam, extended by EOS at no cost, so they
    compete with open ones on total score. An input is done once its best ended beam beats what
    any open beam could still reach: an open beam only loses log-probability as it grows, and its
    length penalty is at most that of max_len, so the stop is exact (with length_alpha=0 it stops
    as soon as the top beam has ended). Done inputs leave the batch, so the remaining steps only
    compute the inputs still searching. With beam_size=1 it takes exactly the greedy path."""
    b, k = state[0].size(0), beam_size
    device = state[0].device
    max_len = max(max_len, 1)  # every input gets at least one token, so every input has a result
    width = 1  # beams per input: all K would start identical, so the first step runs one and widens
    scores = torch.zeros(b, 1, device=device)
    tokens = torch.full((b,), bos, dtype=torch.long, device=device)
    finished = torch.zeros(b, dtype=torch.bool, device=device)
    lengths = torch.zeros(b, dtype=torch.long, device=device)
    history = torch.zeros(b, 0, dtype=torch.long, device=device)
    alpha_hist = None
    most_lenient = length_penalty(torch.tensor(max_len), length_alpha).item()  # the largest divisor
    inputs = torch.arange(b, device=device)  # which original input each remaining one is
    results: list = [None] * b  # per input: (tokens, length, score, alphas)
    for step in range(max_len):
        offset = (torch.arange(inputs.numel(), device=device) * width).unsqueeze(1)  # (b, 1)
        logits, state, alpha = decoder.step(tokens, state, cache)
        logp = torch.log_softmax(logits.float(), -1)  # (b * width, V)
        vocab = logp.size(1)
        ended_row = torch.full_like(logp[0], float("-inf"))
        ended_row[eos] = 0.0
        logp = torch.where(finished.unsqueeze(1), ended_row, logp)
        cand = (scores.view(-1, 1) + logp).view(-1, width * vocab)  # (b, width*V)
        scores, flat = cand.topk(min(k, cand.size(1)), dim=1)  # (b, K)
        if scores.size(1) < k:  # a vocabulary smaller than the beam: the rest stay dead
            scores = F.pad(scores, (0, k - scores.size(1)), value=float("-inf"))
            flat = F.pad(flat, (0, k - flat.size(1)))
        src = (offset + flat // vocab).flatten()  # (n,) row each new beam extends, n = b*K
        tokens = (flat % vocab).flatten()
        n = tokens.numel()
        if width == 1:  # widen: every beam of an input shares its cache, which is never reordered
            cache = tuple(c.repeat_interleave(k, 0) for c in cache)
            width = k
        state = tuple(s.index_select(0, src) for s in state)
        history = torch.cat([history.index_select(0, src), tokens.unsqueeze(1)], 1)  # (n, t)
        if alpha is not None:
            step_alpha = alpha.index_select(0, src).unsqueeze(1)  # (n, 1, L)
            alpha_hist = step_alpha if alpha_hist is None else torch.cat([alpha_hist.index_select(0, src), step_alpha], 1)
        was_finished = finished.index_select(0, src)
        lengths = lengths.index_select(0, src) + (~was_finished).long()
        finished = was_finished | (tokens == eos)
        final = scores.view(n) / length_penalty(lengths, length_alpha)
        ended_best = final.masked_fill(~finished, float("-inf")).view(-1, k).max(1).values  # (b,)
        open_bound = (scores.view(n).masked_fill(finished, float("-inf")) / most_lenient).view(-1, k).max(1).values
        done = ended_best >= open_bound if step < max_len - 1 else torch.ones_like(ended_best, dtype=torch.bool)
        if not done.any():
            continue
        # an open beam is only a candidate where no beam of its input has ended (max_len reached)
        any_ended = finished.view(-1, k).any(1, keepdim=True).expand(-1, k).reshape(n)
        final = final.masked_fill(any_ended & ~finished, float("-inf"))
        best = final.view(-1, k).argmax(1) + offset.squeeze(1)  # (b,) rows of the winners
        for i in done.nonzero().flatten().tolist():
            row = int(best[i])
            results[int(inputs[i])] = (history[row], lengths[row], final[row],
                                       None if alpha_hist is None else alpha_hist[row])
        if done.all():
            break
        keep = (~done).nonzero().flatten()  # inputs still searching
        rows = (keep.unsqueeze(1) * k + torch.arange(k, device=device)).flatten()  # their K rows each
        inputs, scores = inputs[keep], scores[keep]
        tokens, finished, lengths, history = tokens[rows], finished[rows], lengths[rows], history[rows]
        state = tuple(s.index_select(0, rows) for s in state)
        cache = tuple(c.index_select(0, rows) for c in cache)
        alpha_hist = None if alpha_hist is None else alpha_hist[rows]
    return _assemble(results, eos)


def _assemble(results: list, eos: int) -> Hypotheses:
    """Per-input winners (tokens (t_i,), length, score, alphas (t_i, L)|None) -> one padded batch."""
    steps = max(r[0].numel() for r in results)
    tokens = torch.stack([torch.cat([r[0], r[0].new_full((steps - r[0].numel(),), eos)]) for r in results])  # (B, T)
    alphas = None
    if results[0][3] is not None:  # steps after an input left the search attend nowhere
        alphas = torch.stack([torch.cat([r[3], r[3].new_zeros(steps - r[3].size(0), r[3].size(1))]) for r in results])
    return Hypotheses(tokens, torch.stack([r[1] for r in results]), torch.stack([r[2] for r in results]), alphas)
