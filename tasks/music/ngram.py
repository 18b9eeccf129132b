"""The baseline the LSTM must beat: an interpolated n-gram model over event ids (Witten-Bell).

p(w | h) = (c(h, w) + T(h) p(w | h')) / (c(h) + T(h)), with h' the history one event shorter,
T(h) the number of distinct events seen after h, down to an add-one unigram. Every sequence is
read after n-1 BOS symbols, as the LSTM reads one BOS: both score every event of the split.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict

from tasks.music.events import BOS, NO_EVENT


class NGram:
    def __init__(self, order: int, vocab_size: int):
        self.order = order
        self.support = vocab_size - NO_EVENT  # the events that can occur: ids NO_EVENT.. (not PAD, BOS)
        self.counts: list[dict[tuple, Counter]] = [defaultdict(Counter) for _ in range(order)]
        self.totals: list[dict[tuple, int]] = [{} for _ in range(order)]

    def fit(self, sequences: list[list[int]]) -> "NGram":
        n = self.order
        for seq in sequences:
            padded = [BOS] * (n - 1) + list(seq)
            for i in range(n - 1, len(padded)):
                w = padded[i]
                for k in range(n):  # k events of history
                    self.counts[k][tuple(padded[i - k:i])][w] += 1
        for k in range(n):
            self.totals[k] = {h: sum(c.values()) for h, c in self.counts[k].items()}
        return self

    def prob(self, history: tuple, w: int) -> float:
        c0 = self.counts[0][()]
        p = (c0.get(w, 0) + 1) / (self.totals[0].get((), 0) + self.support)  # add-one unigram
        for k in range(1, self.order):
            h = history[len(history) - k:]
            seen = self.counts[k].get(h)
            if not seen:
                break  # a longer history unseen too
            types = len(seen)
            p = (seen.get(w, 0) + types * p) / (self.totals[k][h] + types)
        return p

    def nll(self, seq: list[int]) -> float:
        """Summed -log p (nats) of every event of `seq`."""
        n = self.order
        padded = [BOS] * (n - 1) + list(seq)
        return -sum(math.log(self.prob(tuple(padded[i - n + 1:i]), padded[i])) for i in range(n - 1, len(padded)))
