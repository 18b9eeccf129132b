"""What a char-RNN carries from its training text: the characters (id 0 the unknown) and how often
each occurs (the unigram baseline its bits per character are compared with)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import torch

from suite.meta import Meta

UNK = "\ufffd"  # id 0: characters never seen in training (val and prompts may hold some)


@dataclass(kw_only=True)
class CharLMMeta(Meta):
    chars: list[str]  # UNK, then the training text's characters, sorted
    counts: list[int]  # occurrences of each in the training text (UNK: 0)

    @classmethod
    def build(cls, text: str, data: dict) -> "CharLMMeta":
        counts = Counter(text)
        chars = [UNK, *sorted(c for c in counts if c != UNK)]
        return cls(data=data, chars=chars, counts=[counts[c] for c in chars])

    def encode(self, text: str) -> torch.Tensor:
        """Character ids (N,); characters unseen in training become 0."""
        index = {c: i for i, c in enumerate(self.chars)}
        return torch.tensor([index.get(c, 0) for c in text], dtype=torch.long)
