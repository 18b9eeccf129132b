"""What a speech model carries from its training data: the character table, the training words
(the lexicon of an n-gram LM at decoding time) and the sample rate its features expect."""
from __future__ import annotations

from dataclasses import dataclass, field

from suite.meta import Meta
from tasks.speech.text import Chars


@dataclass(kw_only=True)
class SpeechMeta(Meta):
    chars: Chars  # blank, space, then the training transcripts' characters: the CTC output layer
    words: list[str] = field(default_factory=list)  # training words, sorted; a KenLM beam search spells only these
    sample_rate: int  # every waveform is resampled to it before the log-mel front end
