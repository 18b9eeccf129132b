"""Text summarization: BiLSTM encoder -> pointer-generator decoder with coverage (See et al., 2017)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from suite.data.tokenizers import WordTokenizer
from suite.data.vocab import Vocab
from suite.meta import Meta
from suite.registry import Task

TASK = Task(
    name="summarization",
    datamodule="tasks.summarization.datamodule:SummarizationDataModule",
    module="tasks.summarization.module:SummarizationModule",
    predict="tasks.summarization.predict:predict",
)

TOKENIZER = WordTokenizer()  # words and punctuation, case kept: names and numbers stay copyable tokens
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'])")


def sentences(text: str) -> list[str]:
    """Sentences of a text: its newlines, else split after . ! ? before a capital or digit
    (no NLTK: nothing may download at run time)."""
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    return [s for ln in lines for s in _SENTENCE_END.split(ln) if s]


@dataclass(kw_only=True)
class SummarizationMeta(Meta):
    vocab: Vocab            # one vocabulary for documents and summaries (the pointer copies across them)
    lead_words: int = 8     # Lead baseline length: the mean training summary length in tokens
