"""Transcripts as characters: normalisation, the character table and CTC feasibility."""
from __future__ import annotations

from collections.abc import Iterable

from suite.nn.ctc import BLANK, SPACE


def normalise(text: str) -> str:
    """Lower case, single spaces: what the model writes and what WER/CER compare."""
    return " ".join(text.lower().split())


class Chars:
    """itos[0] is the CTC blank, itos[1] the space; the rest are the training transcripts' characters."""

    def __init__(self, itos: list[str]):
        self.itos = list(itos)
        self.stoi = {c: i for i, c in enumerate(self.itos)}

    @classmethod
    def build(cls, texts: Iterable[str]) -> "Chars":
        chars = sorted({c for t in texts for c in t} - {SPACE})
        return cls([BLANK, SPACE, *chars])

    @classmethod
    def from_dict(cls, saved: dict) -> "Chars":
        return cls(saved["itos"])

    def to_dict(self) -> dict:
        return {"itos": list(self.itos)}

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, text: str) -> list[int]:
        """Characters the table lacks are dropped (they cannot be emitted either)."""
        return [self.stoi[c] for c in text if c in self.stoi and c != BLANK]


def ctc_min_frames(ids: list[int]) -> int:
    """Fewest output frames CTC needs: one per label plus a blank between each repeated pair."""
    return len(ids) + sum(a == b for a, b in zip(ids, ids[1:]))
