"""What a captioning model carries from its training data: the word vocabulary of its captions."""
from __future__ import annotations

from dataclasses import dataclass

from suite.data.vocab import Vocab
from suite.meta import Meta


@dataclass(kw_only=True)
class CaptioningMeta(Meta):
    vocab: Vocab  # words of the training captions (data.min_word_count), ids 0-3 the specials
