"""Greedy and beam search: beam=1 equals greedy, beams never score worse, ended beams stay ended."""
import math

import torch

from suite.nn.show_attend_tell import ShowAttendTellDecoder
from suite.nn.search import beam_search, greedy_search, length_penalty


class TableDecoder:
    """A fake decoder whose next-token log-probs depend only on the previous token (a bigram table)."""

    def __init__(self, table: torch.Tensor):
        self.table = table  # (V, V) log-probabilities of next given previous

    def step(self, tokens, state, cache):
        return self.table[tokens], state, None


def _bigram(v, eos, rows):
    table = torch.full((v, v), -1e4)
    for prev, nxt in rows.items():
        for tok, p in nxt.items():
            table[prev, tok] = math.log(p)
    table[eos, eos] = 0.0
    return table


def test_beam_finds_the_path_greedy_misses():
    # 0=bos 1=eos; from bos: 'a'(2) 0.6 or 'b'(3) 0.4; a -> c(4) 0.5 / d(5) 0.5; b -> eos 1.0; c,d -> eos
    table = _bigram(6, 1, {0: {2: 0.6, 3: 0.4}, 2: {4: 0.5, 5: 0.5}, 3: {1: 1.0}, 4: {1: 1.0}, 5: {1: 1.0}})
    state = (torch.zeros(1, 1),)
    greedy = greedy_search(TableDecoder(table), state, (), bos=0, eos=1, max_len=5)
    beam = beam_search(TableDecoder(table), state, (), bos=0, eos=1, max_len=5, beam_size=2)
    assert greedy.tokens[0, :3].tolist() == [2, 4, 1]  # 0.6 * 0.5 = 0.30
    assert beam.tokens[0, :2].tolist() == [3, 1]  # 0.4 * 1.0 = 0.40
    assert math.isclose(beam.scores.item(), math.log(0.4), rel_tol=1e-5)
    assert beam.lengths.item() == 2 and greedy.lengths.item() == 3


def test_length_penalty_prefers_longer_when_alpha_is_large():
    table = _bigram(6, 1, {0: {2: 0.6, 3: 0.4}, 2: {4: 0.5, 5: 0.5}, 3: {1: 1.0}, 4: {1: 1.0}, 5: {1: 1.0}})
    state = (torch.zeros(1, 1),)
    long = beam_search(TableDecoder(table), state, (), bos=0, eos=1, max_len=5, beam_size=3, length_alpha=5.0)
    # alpha=5: log(0.3)/(8/6)^5 = -0.286 beats log(0.4)/(7/6)^5 = -0.424
    assert long.tokens[0, :3].tolist() in ([2, 4, 1], [2, 5, 1])
    assert math.isclose(long.scores.item(), math.log(0.3) / length_penalty(torch.tensor(3), 5.0).item(), rel_tol=1e-5)


def _random_decoder(cell="lstm", attention=True):
    torch.manual_seed(0)
    dec = ShowAttendTellDecoder(20, 12, cell=cell, attention=attention, embed_size=8, hidden_size=16, attention_size=8,
                                dropout=0.3, gate=True, deep_output=True, pad_id=0).eval()
    memory = torch.randn(5, 9, 12)  # (B, L, D)
    return dec, memory


def test_beam_one_equals_greedy_on_a_real_decoder():
    for cell in ("lstm", "gru", "rnn"):
        dec, memory = _random_decoder(cell)
        state, cache = dec.start(memory)
        g = greedy_search(dec, state, cache, bos=1, eos=2, max_len=15)
        b = beam_search(dec, state, cache, bos=1, eos=2, max_len=15, beam_size=1)
        assert torch.equal(g.tokens, b.tokens)
        assert torch.equal(g.lengths, b.lengths)
        assert torch.allclose(g.scores, b.scores, atol=1e-5)
        assert torch.allclose(g.alphas, b.alphas)


def test_wider_beams_never_score_worse_and_batching_does_not_change_results():
    dec, memory = _random_decoder()
    state, cache = dec.start(memory)
    scores = [beam_search(dec, state, cache, bos=1, eos=2, max_len=12, beam_size=k).scores for k in (1, 3, 6)]
    assert (scores[1] >= scores[0] - 1e-5).all() and (scores[2] >= scores[1] - 1e-5).all()
    batched = beam_search(dec, state, cache, bos=1, eos=2, max_len=12, beam_size=3)
    for i in range(memory.size(0)):
        s1, c1 = dec.start(memory[i:i + 1])
        single = beam_search(dec, s1, c1, bos=1, eos=2, max_len=12, beam_size=3)
        n = int(single.lengths)
        assert batched.tokens[i, :n].tolist() == single.tokens[0, :n].tolist()
        assert torch.allclose(batched.scores[i], single.scores[0], atol=1e-5)


def test_ended_hypotheses_are_padded_with_eos():
    dec, memory = _random_decoder()
    state, cache = dec.start(memory)
    out = beam_search(dec, state, cache, bos=1, eos=2, max_len=10, beam_size=4)
    for row, n in zip(out.tokens.tolist(), out.lengths.tolist()):
        if n < len(row):
            assert row[n - 1] == 2 and all(t == 2 for t in row[n:])
        assert 2 not in row[: n - 1]


class CountingDecoder(TableDecoder):
    def __init__(self, table):
        super().__init__(table)
        self.steps = 0

    def step(self, tokens, state, cache):
        self.steps += 1
        return super().step(tokens, state, cache)


def test_search_stops_once_no_open_beam_can_win():
    # 0 -> 3 -> EOS is the best (0.7); 0 -> 2 loops on itself forever (never ends) at 0.9 a step
    table = _bigram(4, 1, {0: {3: 0.7, 2: 0.3}, 3: {1: 1.0}, 2: {2: 0.9, 1: 0.1}})
    for alpha, most_steps in ((0.0, 2), (0.6, 25)):
        dec = CountingDecoder(table)
        out = beam_search(dec, (torch.zeros(1, 1),), (), bos=0, eos=1, max_len=200, beam_size=2, length_alpha=alpha)
        assert out.tokens[0, :2].tolist() == [3, 1]
        # alpha=0: done when the top beam ends; alpha=0.6: done when 0.3 * 0.9^t, even divided by the
        # max_len penalty, falls below 0.7 / lp(2), long before max_len
        assert dec.steps <= most_steps


def test_a_beam_wider_than_the_vocabulary_still_finds_the_best():
    table = _bigram(3, 1, {0: {2: 0.6, 1: 0.4}, 2: {1: 1.0}})  # 3 words, 5 beams
    out = beam_search(TableDecoder(table), (torch.zeros(2, 1),), (), bos=0, eos=1, max_len=6, beam_size=5)
    assert out.tokens.tolist() == [[2, 1], [2, 1]]  # 0.6 * 1.0 beats stopping at once (0.4)
    assert torch.allclose(out.scores, torch.full((2,), math.log(0.6)))
