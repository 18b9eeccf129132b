"""Greedy search, batched beam search and sampling, written once for every decoder with `start`/`step`.

A decoder provides
    start(memory, mask) -> (state, cache)       state: tuple of (B, H); cache: tuple of (B, ...)
    step(tokens, state, cache) -> (logits, state, alpha)   tokens (N,), logits (N, V), alpha (N, L)|None
Beam search runs all B x K hypotheses as one batch of N = B*K rows.

Every search takes the same output controls: `min_len` (no EOS before that many tokens) and
`no_repeat_ngram_size` (no n-gram twice in one output, as summarisation and dialogue decoders use
against repetition); beam search also returns the `n_best` hypotheses per input, and
`sample_search` draws with temperature, top-k and top-p (nucleus) from a seeded generator.
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
    candidates: list | None = None     # n_best > 1: per input, [(tokens (t,), score)] best first


def length_penalty(lengths: torch.Tensor, alpha: float) -> torch.Tensor:
    """GNMT length penalty ((5 + |y|) / 6)^alpha; alpha=0 gives 1 (rank by total log-probability)."""
    return ((5.0 + lengths.float()) / 6.0) ** alpha


def _stack_alphas(alphas: list) -> torch.Tensor | None:
    return torch.stack(alphas, 1) if alphas and alphas[0] is not None else None


def repeated_ngram_ban(history: torch.Tensor, size: int, vocab: int) -> torch.Tensor | None:
    """(N, t) tokens so far -> (N, V) True where the next token would repeat an n-gram of `size`
    already in that row (None when nothing can repeat yet)."""
    t = history.size(1)
    if size <= 0 or t < size:
        return None
    grams = history.unfold(1, size, 1)  # (N, t - size + 1, size)
    if size == 1:
        match = torch.ones(grams.shape[:2], dtype=torch.bool, device=history.device)
    else:
        match = (grams[:, :, :-1] == history[:, t - size + 1:].unsqueeze(1)).all(-1)  # (N, m) same prefix
    ban = torch.zeros(history.size(0), vocab, device=history.device)
    return ban.scatter_add_(1, grams[:, :, -1], match.float()) > 0  # (N, V)


def constrain(logp: torch.Tensor, history: torch.Tensor, *, eos: int, min_len: int = 0,
              no_repeat_ngram_size: int = 0) -> torch.Tensor:
    """Log-probabilities (N, V) with EOS barred before `min_len` tokens and repeated n-grams barred."""
    if history.size(1) < min_len:
        logp = logp.clone()
        logp[:, eos] = float("-inf")
    ban = repeated_ngram_ban(history, no_repeat_ngram_size, logp.size(1))
    return logp if ban is None else logp.masked_fill(ban, float("-inf"))


@torch.no_grad()
def greedy_search(decoder, state, cache, *, bos: int, eos: int, max_len: int, min_len: int = 0,
                  no_repeat_ngram_size: int = 0) -> Hypotheses:
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
        if min_len or no_repeat_ngram_size:
            history = torch.stack(out, 1) if out else tokens.new_zeros(n, 0)  # (N, t)
            logp = constrain(logp, history, eos=eos, min_len=min_len, no_repeat_ngram_size=no_repeat_ngram_size)
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
def sample_search(decoder, state, cache, *, bos: int, eos: int, max_len: int, temperature: float = 1.0,
                  top_k: int = 0, top_p: float = 1.0, min_len: int = 0, no_repeat_ngram_size: int = 0,
                  generator: torch.Generator | None = None) -> Hypotheses:
    """Ancestral sampling: each token drawn from the (temperature-scaled, top-k / top-p filtered)
    distribution; the same generator seed gives the same outputs. Scores are the log-probabilities
    of the drawn tokens under the unfiltered model."""
    n = state[0].size(0)
    tokens = torch.full((n,), bos, dtype=torch.long, device=state[0].device)
    finished = torch.zeros(n, dtype=torch.bool, device=tokens.device)
    lengths = torch.zeros(n, dtype=torch.long, device=tokens.device)
    scores = torch.zeros(n, device=tokens.device)
    out: list = []
    for _ in range(max_len):
        logits, state, _ = decoder.step(tokens, state, cache)
        logp = torch.log_softmax(logits.float(), -1)  # (N, V)
        history = torch.stack(out, 1) if out else tokens.new_zeros(n, 0)  # (N, t)
        allowed = constrain(logp, history, eos=eos, min_len=min_len, no_repeat_ngram_size=no_repeat_ngram_size)
        probs = filtered_probs(allowed / max(temperature, 1e-6), top_k, top_p)  # (N, V)
        drawn = torch.multinomial(probs.cpu(), 1, generator=generator).squeeze(1).to(tokens.device)  # (N,)
        drawn = drawn.masked_fill(finished, eos)
        scores += logp.gather(1, drawn.unsqueeze(1)).squeeze(1).masked_fill(finished, 0.0)
        lengths += (~finished).long()
        finished |= drawn == eos
        tokens = drawn
        out.append(tokens)
        if finished.all():
            break
    return Hypotheses(torch.stack(out, 1), lengths, scores)


def filtered_probs(logits: torch.Tensor, top_k: int = 0, top_p: float = 1.0) -> torch.Tensor:
    """(N, V) scores -> probabilities over the k likeliest tokens (0: all) and, within them, the
    smallest set whose probability reaches top_p (1.0: all); the likeliest token always stays."""
    if top_k and top_k < logits.size(1):
        kth = logits.topk(top_k, dim=1).values[:, -1:]  # (N, 1)
        logits = logits.masked_fill(logits < kth, float("-inf"))
    if top_p < 1.0:
        sorted_logits, order = logits.sort(dim=1, descending=True)  # (N, V)
        before = sorted_logits.softmax(1).cumsum(1) - sorted_logits.softmax(1)  # mass of the likelier tokens
        drop = (before >= top_p).scatter(1, order, before >= top_p)  # back to vocabulary order
        logits = logits.masked_fill(drop, float("-inf"))
    return logits.softmax(1)


@torch.no_grad()
def beam_search(decoder, state, cache, *, bos: int, eos: int, max_len: int, beam_size: int,
                length_alpha: float = 0.0, min_len: int = 0, no_repeat_ngram_size: int = 0,
                n_best: int = 1) -> Hypotheses:
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
        if min_len or no_repeat_ngram_size:
            logp = constrain(logp, history, eos=eos, min_len=min_len, no_repeat_ngram_size=no_repeat_ngram_size)
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
        ranked = final.view(-1, k).argsort(1, descending=True) + offset  # (b, K) rows, best first
        for i in done.nonzero().flatten().tolist():
            rows_i = [int(r) for r in ranked[i, :max(n_best, 1)] if torch.isfinite(final[r])] or [int(ranked[i, 0])]
            results[int(inputs[i])] = [(history[r], lengths[r], final[r], None if alpha_hist is None else alpha_hist[r])
                                       for r in rows_i]
        if done.all():
            break
        keep = (~done).nonzero().flatten()  # inputs still searching
        rows = (keep.unsqueeze(1) * k + torch.arange(k, device=device)).flatten()  # their K rows each
        inputs, scores = inputs[keep], scores[keep]
        tokens, finished, lengths, history = tokens[rows], finished[rows], lengths[rows], history[rows]
        state = tuple(s.index_select(0, rows) for s in state)
        cache = tuple(c.index_select(0, rows) for c in cache)
        alpha_hist = None if alpha_hist is None else alpha_hist[rows]
    hyps = _assemble([r[0] for r in results], eos)
    if n_best > 1:  # each candidate cut after its EOS
        hyps.candidates = [[(c[0][: int(c[1])], float(c[2])) for c in r] for r in results]
    return hyps


def _assemble(results: list, eos: int) -> Hypotheses:
    """Per-input winners (tokens (t_i,), length, score, alphas (t_i, L)|None) -> one padded batch."""
    steps = max(r[0].numel() for r in results)
    tokens = torch.stack([torch.cat([r[0], r[0].new_full((steps - r[0].numel(),), eos)]) for r in results])  # (B, T)
    alphas = None
    if results[0][3] is not None:  # steps after an input left the search attend nowhere
        alphas = torch.stack([torch.cat([r[3], r[3].new_zeros(steps - r[3].size(0), r[3].size(1))]) for r in results])
    return Hypotheses(tokens, torch.stack([r[1] for r in results]), torch.stack([r[2] for r in results]), alphas)
