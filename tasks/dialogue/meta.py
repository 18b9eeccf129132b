"""What a dialogue model carries from its training data, and how a history becomes its input.

The context of a reply is the turn it answers plus the `data.context_turns` turns before it.
Each context turn starts with a speaker token relative to the reply: `__you__` for the other
party's turns (the last turn always), `__me__` for the replier's own earlier turns, so the same
model serves any corpus, with or without speaker names. The flat model reads the turns joined
(the last `max_context_tokens` tokens); the hierarchical one reads them turn by turn.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from suite.data.vocab import Vocab
from suite.meta import Meta
from tasks.translation.meta import Side

YOU, ME = "__you__", "__me__"  # speaker of a context turn, relative to the one who replies


@dataclass
class Context:
    flat: list[int]  # every turn's ids after its speaker token, oldest first, the last max_context_tokens kept
    turns: list[list[int]]  # per turn: speaker token + ids (the last max_turn_tokens of a long turn)
    cut: int  # tokens dropped to fit the context window (0: nothing)


@dataclass(kw_only=True)
class DialogueMeta(Meta):
    side: Side  # one tokeniser + vocabulary for contexts and replies (the same language on both sides)
    slots: dict = field(default_factory=dict)  # slot type -> values seen in training (synthetic data: slot accuracy)

    @classmethod
    def build(cls, data: dict, texts: list[str], slots: dict) -> "DialogueMeta":
        side = Side.build(texts, data["tokenizer"], data["vocab_size"], data["min_word_count"])
        missing = [t for t in (YOU, ME) if t not in side.vocab.stoi]  # whole tokens even under sentencepiece
        side.vocab = Vocab([*side.vocab.itos, *missing])
        return cls(data=data, side=side, slots={k: sorted(v) for k, v in sorted(slots.items())})

    @property
    def window(self) -> int:
        """Turns a reply sees: the one it answers plus data.context_turns before it."""
        return int(self.data["context_turns"]) + 1

    def context(self, history: list[str]) -> Context:
        """History turns (oldest first; the last is the one answered) -> the model's input ids."""
        stoi = self.side.vocab.stoi
        recent = history[-self.window:]
        max_turn, cut, turns = int(self.data["max_turn_tokens"]), 0, []
        for k, text in enumerate(recent):
            speaker = stoi[YOU] if (len(recent) - 1 - k) % 2 == 0 else stoi[ME]
            ids = self.side.encode(text)
            cut += max(len(ids) - max_turn, 0)
            turns.append([speaker, *ids[-max_turn:]])  # a long turn keeps its end, nearest the reply
        flat = [i for turn in turns for i in turn]
        max_flat = int(self.data["max_context_tokens"])
        cut += max(len(flat) - max_flat, 0)
        return Context(flat=flat[-max_flat:], turns=turns, cut=cut)
