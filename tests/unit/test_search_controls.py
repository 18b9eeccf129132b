"""Output controls shared by every search: min_len, no_repeat_ngram_size, n-best, sampling."""
import math

import pytest
import torch

from suite.nn.search import (beam_search, filtered_probs, greedy_search, repeated_ngram_ban, sample_search)


class LoopDecoder:
    """Next-token log-probs depend on the previous token only: from bos (0) 'a' (2) is likeliest,
    'a' -> 'b' (3), 'b' -> 'a' (a loop: 'a b a b ...'), and EOS (1) is always the second choice."""

    def __init__(self):
        table = torch.full((5, 5), -1e4)
        for prev, nxt in {0: {2: 0.7, 1: 0.2, 4: 0.1}, 2: {3: 0.7, 1: 0.2, 4: 0.1}, 3: {2: 0.7, 1: 0.2, 4: 0.1},
                          4: {1: 0.9, 2: 0.1}, 1: {1: 1.0}}.items():
            for tok, p in nxt.items():
                table[prev, tok] = math.log(p)
        self.table = table

    def step(self, tokens, state, cache):
        return self.table[tokens], state, None


STATE = (torch.zeros(2, 1),)


def _text(h, row=0):
    return h.tokens[row, : int(h.lengths[row])].tolist()


def test_no_repeat_ngram_breaks_the_loop_in_greedy_and_beam():
    free = greedy_search(LoopDecoder(), STATE, (), bos=0, eos=1, max_len=8)
    assert _text(free) == [2, 3, 2, 3, 2, 3, 2, 3]  # the loop, never ending
    for hyps in (greedy_search(LoopDecoder(), STATE, (), bos=0, eos=1, max_len=8, no_repeat_ngram_size=2),
                 beam_search(LoopDecoder(), STATE, (), bos=0, eos=1, max_len=8, beam_size=3, no_repeat_ngram_size=2)):
        out = _text(hyps)
        pairs = list(zip(out, out[1:]))
        assert len(pairs) == len(set(pairs))  # no bigram twice


def test_min_len_bars_eos_until_reached():
    short = beam_search(LoopDecoder(), STATE, (), bos=0, eos=1, max_len=8, beam_size=3)
    assert _text(short) == [1]  # EOS at once is the best total score
    longer = beam_search(LoopDecoder(), STATE, (), bos=0, eos=1, max_len=8, beam_size=3, min_len=3)
    assert int(longer.lengths[0]) >= 4 and _text(longer)[-1] == 1  # three tokens, then EOS


def test_n_best_lists_distinct_candidates_best_first():
    hyps = beam_search(LoopDecoder(), STATE, (), bos=0, eos=1, max_len=6, beam_size=4, n_best=3)
    cands = hyps.candidates[0]
    assert len(cands) == 3 and cands[0][0].tolist() == _text(hyps)
    scores = [s for _, s in cands]
    assert scores == sorted(scores, reverse=True)
    assert len({tuple(t.tolist()) for t, _ in cands}) == 3


def test_sampling_is_seeded_and_top_k_one_is_greedy():
    def draw(seed, **kw):
        return sample_search(LoopDecoder(), STATE, (), bos=0, eos=1, max_len=8,
                             generator=torch.Generator().manual_seed(seed), **kw).tokens
    assert torch.equal(draw(7), draw(7))
    assert any(not torch.equal(draw(7), draw(s)) for s in range(8, 20))  # sampling does vary
    greedy = greedy_search(LoopDecoder(), STATE, (), bos=0, eos=1, max_len=8).tokens
    assert torch.equal(draw(3, top_k=1), greedy) and torch.equal(draw(5, top_p=0.01), greedy)


def test_filters_keep_what_they_should():
    logits = torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05]]))
    assert filtered_probs(logits, top_k=2)[0].tolist() == pytest.approx([0.625, 0.375, 0, 0])
    assert (filtered_probs(logits, top_p=0.7)[0] > 0).tolist() == [True, True, False, False]
    ban = repeated_ngram_ban(torch.tensor([[5, 6, 7, 5]]), 2, 9)
    assert ban[0].nonzero().flatten().tolist() == [6]  # '5 6' was said: after '5', no '6'
