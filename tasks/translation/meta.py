"""What a translation model carries from its training data: a tokeniser + vocabulary per language."""
from __future__ import annotations

from dataclasses import dataclass

from suite.data.tokenizers import build_tokenizer, tokenizer_from_dict
from suite.data.vocab import Vocab
from suite.meta import Meta


class Side:
    """Tokeniser + vocabulary of one language; plain data in and out."""

    def __init__(self, tokenizer, vocab: Vocab):
        self.tokenizer, self.vocab = tokenizer, vocab

    @classmethod
    def build(cls, sentences: list[str], kind: str, vocab_size: int, min_count: int) -> "Side":
        tok = build_tokenizer(kind, sentences, vocab_size)
        return cls(tok, Vocab.build((tok.tokenize(s) for s in sentences), min_count))

    @classmethod
    def from_dict(cls, d: dict) -> "Side":
        return cls(tokenizer_from_dict(d["tokenizer"]), Vocab.from_dict(d["vocab"]))

    def to_dict(self) -> dict:
        return {"tokenizer": self.tokenizer.to_dict(), "vocab": self.vocab.to_dict()}

    def encode(self, text: str) -> list[int]:
        return self.vocab.encode(self.tokenizer.tokenize(text))

    def decode(self, ids) -> str:
        return self.tokenizer.detokenize(self.vocab.decode(ids))


@dataclass(kw_only=True)
class TranslationMeta(Meta):
    src: Side  # source language, built from the training sources
    tgt: Side  # target language, built from the training targets
