"""What an NER model carries from its training data: word, character and tag ids (the Encoder)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from suite.data.vocab import SPECIALS, Vocab
from suite.meta import Meta


def word_key(word: str) -> str:
    """Word-vocabulary key: digits folded to 0 (numbers share embeddings); case is kept, as it marks names."""
    return re.sub(r"\d", "0", word)


class Encoder:
    """Words, characters and tags <-> ids; plain data in and out (travels in the checkpoint)."""

    def __init__(self, words: Vocab, chars: Vocab, tags: list[str], max_word_len: int):
        self.words, self.chars, self.tags, self.max_word_len = words, chars, tags, max_word_len
        self.tag_index = {t: i for i, t in enumerate(tags)}

    @classmethod
    def build(cls, sentences: list, data: dict) -> "Encoder":
        """From the training sentences (tokens + IOB2 tags) and the data config's vocabulary keys."""
        words = Vocab.build(([word_key(w) for w in s.tokens] for s in sentences), int(data["min_word_count"]))
        words = Vocab(words.itos[: int(data["vocab_size"]) + len(SPECIALS)])
        chars = Vocab.build((list(w) for s in sentences for w in s.tokens), 1)
        tags = sorted({t for s in sentences for t in s.tags}, key=lambda t: (t != "O", t[2:], t))  # O, B-LOC, I-LOC ...
        return cls(words, chars, tags, int(data["max_word_len"]))

    @classmethod
    def from_dict(cls, d: dict) -> "Encoder":
        return cls(Vocab.from_dict(d["words"]), Vocab.from_dict(d["chars"]), list(d["tags"]), int(d["max_word_len"]))

    def to_dict(self) -> dict:
        return {"words": self.words.to_dict(), "chars": self.chars.to_dict(), "tags": list(self.tags),
                "max_word_len": self.max_word_len}

    def encode(self, tokens: list[str]) -> dict:
        # long words keep their first and last characters (suffixes tell a lot about a word's type)
        half = self.max_word_len // 2
        chars = [self.chars.encode(list(w if len(w) <= self.max_word_len else w[:half] + w[-half:])) for w in tokens]
        return {"words": self.words.encode([word_key(w) for w in tokens]), "chars": chars, "tokens": tokens}


@dataclass(kw_only=True)
class NerMeta(Meta):
    encoder: Encoder  # built from the training sentences
