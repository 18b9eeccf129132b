"""The compressor baseline: what xz (LZMA, Python's standard library) pays a character of the
validation text once it has read the training text.

A character model that cannot beat a general-purpose compressor has not learnt the language yet,
so `val/bpc_xz` sits beside `val/bpc` and the unigram baseline. It is the extra compressed size
of train + val over train alone, in bits, per character of val (UTF-8 bytes are compressed, the
characters are counted). LZMA is used rather than a hand-written n-gram model: it is maintained,
fast and a figure anyone can reproduce with `xz -6`.
"""
from __future__ import annotations

import lzma

PRESET = 6  # xz's default level (8 MiB dictionary); level 9 gave the same bpc on 1 MB of BBC prose
CONTEXT_CHARS = 8 * 2**20  # the dictionary holds no more: earlier training text cannot help xz
VAL_CHARS = 2 * 2**20  # a bigger validation split is scored on its first 2 Mi characters (seconds, not minutes)


def xz_bits_per_char(train: str, val: str) -> float | None:
    """Bits per character of `val` (its first VAL_CHARS) given the end of `train`; None for an empty val."""
    val = val[:VAL_CHARS]
    if not val:
        return None
    context = train[-CONTEXT_CHARS:].encode("utf-8")
    both = len(lzma.compress(context + val.encode("utf-8"), preset=PRESET))
    alone = len(lzma.compress(context, preset=PRESET))
    return 8 * max(both - alone, 0) / len(val)  # a repeat of the context can cost 0 bytes, never fewer
