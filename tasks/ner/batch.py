"""A batch of sentences as the datamodule, the module and suite-predict share it: padded word,
character and tag ids."""
from __future__ import annotations

import torch

from suite.data.collate import pad_sequences

IGNORE = -100  # tag id at padded steps (cross-entropy's ignore_index; the CRF masks them)


def collate(items: list[dict], pad: int) -> dict:
    words, lengths = pad_sequences([it["words"] for it in items], pad)  # (B, T), (B,)
    B, T = words.shape
    L = max(len(c) for it in items for c in it["chars"])
    chars = torch.full((B, T, L), pad, dtype=torch.long)  # (B, T, L)
    char_lengths = torch.zeros(B, T, dtype=torch.long)  # (B, T), 0 at padded words
    for b, it in enumerate(items):
        for t, c in enumerate(it["chars"]):
            chars[b, t, : len(c)] = torch.as_tensor(c)
            char_lengths[b, t] = len(c)
    tags, _ = pad_sequences([it.get("tags", []) or [IGNORE] * len(it["words"]) for it in items], IGNORE)  # (B, T)
    return {"words": words, "lengths": lengths, "chars": chars, "char_lengths": char_lengths, "tags": tags,
            "tokens": [it["tokens"] for it in items], "ids": [it["id"] for it in items], "size": B}
