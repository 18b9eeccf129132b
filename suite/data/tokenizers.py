"""Text tokenisers whose whole state is plain data, so they travel inside checkpoints.

`word`: words and punctuation marks, case kept; `sentencepiece`: a unigram model trained on the
training split (its model file stored base64-encoded). Both detokenise back to normal text, so
BLEU is computed on detokenised output against the raw references.
"""
from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterable

_WORD = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]", re.UNICODE)
_NO_SPACE_BEFORE = re.compile(r" ([.,!?;:%)\]}»”])")
_NO_SPACE_AFTER = re.compile(r"([(\[{«“¿¡]) ")


class WordTokenizer:
    kind = "word"

    def tokenize(self, text: str) -> list[str]:
        return _WORD.findall(text)

    def detokenize(self, tokens: list[str]) -> str:
        text = " ".join(tokens)
        return _NO_SPACE_AFTER.sub(r"\1", _NO_SPACE_BEFORE.sub(r"\1", text))

    def to_dict(self) -> dict:
        return {"kind": self.kind}


class SentencePieceTokenizer:
    kind = "sentencepiece"

    def __init__(self, model: bytes):
        import sentencepiece as spm

        self.model = model
        self.sp = spm.SentencePieceProcessor(model_proto=model)

    @classmethod
    def train(cls, sentences: Iterable[str], vocab_size: int) -> "SentencePieceTokenizer":
        import sentencepiece as spm

        buffer = io.BytesIO()
        spm.SentencePieceTrainer.train(sentence_iterator=iter(list(sentences)), model_writer=buffer,
                                       vocab_size=vocab_size, model_type="unigram", character_coverage=1.0,
                                       hard_vocab_limit=False, minloglevel=2)
        return cls(buffer.getvalue())

    def tokenize(self, text: str) -> list[str]:
        return self.sp.encode(text, out_type=str)

    def detokenize(self, tokens: list[str]) -> str:
        return self.sp.decode_pieces(tokens)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "model": base64.b64encode(self.model).decode("ascii")}


def tokenizer_from_dict(data: dict):
    if data["kind"] == "word":
        return WordTokenizer()
    return SentencePieceTokenizer(base64.b64decode(data["model"]))


def build_tokenizer(kind: str, sentences: list[str], vocab_size: int):
    from suite.errors import UserError

    if kind == "word":
        return WordTokenizer()
    if kind == "sentencepiece":
        return SentencePieceTokenizer.train(sentences, vocab_size)
    raise UserError(f"unknown tokenizer '{kind}': set data.tokenizer to word or sentencepiece")
