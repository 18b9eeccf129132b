"""NER data: CoNLL files (or the synthetic ones written in that layout) -> word, character and tag ids
-> length-bucketed batches."""
from __future__ import annotations

import logging
import re
from functools import partial
from pathlib import Path

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader

from suite.data.collate import pad_sequences
from suite.data.loader_options import loader_kwargs
from suite.data.sampler import BucketBatchSampler
from suite.data.split_loaders import SplitLoaders
from suite.data.vocab import SPECIALS, Vocab
from suite.errors import UserError
from tasks.ner import readers
from tasks.ner.synthetic import generate_entities

log = logging.getLogger(__name__)
IGNORE = -100  # tag id at padded steps (cross-entropy's ignore_index; the CRF masks them)


def read_splits(data: dict) -> readers.NerSplits:
    name, strict = data["name"], bool(data.get("strict", False))
    if name == "synthetic_entities":
        root = generate_entities(data["root"], n_train=data["n_train"], n_val=data["n_val"], n_test=data["n_test"],
                                 seed=data.get("seed", 0))
        return readers.read_conll(root, strict=strict)
    if name == "conll":
        return readers.read_conll(data["root"], val_fraction=data["val_fraction"], seed=data["seed"], strict=strict)
    raise UserError(f"unknown ner data '{name}': use data=synthetic_entities or conll")


def word_key(word: str) -> str:
    """Word-vocabulary key: digits folded to 0 (numbers share embeddings); case is kept, as it marks names."""
    return re.sub(r"\d", "0", word)


class Encoder:
    """Words, characters and tags <-> ids; plain data in and out (travels in the checkpoint)."""

    def __init__(self, words: Vocab, chars: Vocab, tags: list[str], max_word_len: int):
        self.words, self.chars, self.tags, self.max_word_len = words, chars, tags, max_word_len
        self.tag_index = {t: i for i, t in enumerate(tags)}

    @classmethod
    def build(cls, sentences: list[readers.Sentence], data: dict) -> "Encoder":
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


class NerDataModule(SplitLoaders, pl.LightningDataModule):
    def __init__(self, data: dict, vocab: dict | None = None):
        super().__init__()
        self.data = data
        self.encoder = Encoder.from_dict(vocab) if vocab else None
        self.items: dict[str, list[dict]] = {}

    def prepare_data(self) -> None:
        if self.data["name"] == "synthetic_entities":  # rank 0 generates; the other ranks find it cached
            read_splits(self.data)

    def setup(self, stage: str | None = None) -> None:
        if self.items:
            return
        splits = read_splits(self.data)
        for note in splits.notes:
            log.info(note)
        self.skipped_at_setup = len(splits.skipped)  # counted in the module's data/skipped
        if splits.skipped:
            log.warning("skipped %d unusable sentences, e.g. %s; set data.strict=true to fail instead",
                        len(splits.skipped), "; ".join(f"{n} ({r})" for n, r in splits.skipped[:3]))
        if self.encoder is None:
            self.encoder = Encoder.build(splits.train, self.data)
        for name in ("train", "val", "test"):
            self.items[name] = self._encode(name, getattr(splits, name))
        log.info("ner data: %d train / %d val / %d test sentences; %d words, %d characters; tags %s",
                 *(len(self.items[s]) for s in ("train", "val", "test")), len(self.encoder.words),
                 len(self.encoder.chars), " ".join(self.encoder.tags))

    def _encode(self, split: str, sentences: list[readers.Sentence]) -> list[dict]:
        max_len, items, unknown = int(self.data["max_len"]), [], {}
        for i, s in enumerate(sentences):
            missing = [t for t in s.tags if t not in self.encoder.tag_index]
            if missing:  # a type the model has no output for
                unknown[missing[0]] = unknown.get(missing[0], 0) + 1
                continue
            # long sentences are cut into pieces of max_len tokens, so one cannot exhaust memory
            for start in range(0, len(s.tokens), max_len):
                item = self.encoder.encode(s.tokens[start:start + max_len])
                item.update(tags=[self.encoder.tag_index[t] for t in s.tags[start:start + max_len]], id=(i, start))
                items.append(item)
        if unknown:
            log.warning("skipped %d %s sentences with tags not seen in train: %s", sum(unknown.values()), split,
                        ", ".join(f"{k} x{v}" for k, v in list(unknown.items())[:5]))
        return items

    def metadata(self) -> dict:
        data = dict(self.data)
        if data.get("root"):  # absolute, so suite-eval works from any directory
            data["root"] = str(Path(data["root"]).expanduser().absolute())
        return {"vocab": self.encoder.to_dict(), "data": data}

    @property
    def has_test(self) -> bool:
        return bool(self.items.get("test"))

    def _loader(self, name: str, train: bool) -> DataLoader:
        items = self.items[name]
        sampler = BucketBatchSampler([len(it["words"]) for it in items], int(self.data["batch_size"]), shuffle=train,
                                     seed=int(self.data.get("seed", 0)))
        return DataLoader(items, batch_sampler=sampler, **loader_kwargs(self.data),
                          collate_fn=partial(collate, pad=self.encoder.words.pad))


DataModule = NerDataModule  # the name suite.registry looks up
