"""What a sentiment model carries from its training data: the word vocabulary and the label names."""
from __future__ import annotations

from dataclasses import dataclass

from suite.data.vocab import Vocab
from suite.meta import Meta
from tasks.sentiment.readers import tokenize


def clip(ids: list[int], max_len: int) -> list[int]:
    """At most max_len tokens: the head and the tail, where reviews state their verdict."""
    if len(ids) <= max_len:
        return ids
    head = max_len // 2
    return ids[:head] + ids[len(ids) - (max_len - head):]


@dataclass(kw_only=True)
class SentimentMeta(Meta):
    words: Vocab  # the training split's most frequent words
    labels: list[str]  # label names, sorted; a label's id is its index

    def encode(self, text: str) -> list[int]:
        """Word ids of a text, clipped to the data.max_len it was trained with (empty: no word at all)."""
        return clip(self.words.encode(tokenize(text)), int(self.data["max_len"]))
