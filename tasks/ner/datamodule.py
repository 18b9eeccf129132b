"""NER data: CoNLL files (or the synthetic ones written in that layout) -> word, character and tag ids
-> length-bucketed batches."""
from __future__ import annotations

import logging
from functools import cached_property

from suite.data.datamodule import SuiteDataModule
from suite.data.generated import split_sizes
from suite.data.splits import Splits
from suite.errors import UserError
from tasks.ner import readers
from tasks.ner.baseline import fit_lookup_baseline
from tasks.ner.batch import collate
from tasks.ner.meta import Encoder, NerMeta
from tasks.ner.synthetic import generate_entities

log = logging.getLogger(__name__)


def read_splits(data: dict) -> readers.NerSplits:
    name, strict = data["name"], bool(data.get("strict", False))
    if name == "synthetic_entities":
        root = generate_entities(data["root"], **split_sizes(data))
        return readers.read_conll(root, strict=strict)
    if name == "conll":
        return readers.read_conll(data["root"], val_fraction=data["val_fraction"], seed=data["seed"], strict=strict)
    raise UserError(f"unknown ner data '{name}': use data=synthetic_entities or conll")


class NerDataModule(SuiteDataModule):
    meta_type = NerMeta
    item_kind = "sentences"
    length_key = "words"  # bucket by sentence length
    synthetic = ("synthetic_entities", generate_entities)  # generated once into the cache

    def read(self) -> Splits:
        s = read_splits(self.data)
        return Splits(s.train, s.val, s.test, skipped=s.skipped, notes=s.notes)

    def build_meta(self, train: list[readers.Sentence]) -> NerMeta:
        enc = Encoder.build(train, self.data)
        log.info("ner vocabulary: %d words, %d characters; tags %s", len(enc.words), len(enc.chars),
                 " ".join(enc.tags))
        return NerMeta(data=self.data, encoder=enc)

    def encode(self, sentences: list[readers.Sentence], split: str) -> list[dict]:
        enc, max_len = self.meta.encoder, int(self.data["max_len"])
        items, unknown = [], {}
        for i, s in enumerate(sentences):
            missing = [t for t in s.tags if t not in enc.tag_index]
            if missing:  # a type the model has no output for
                unknown[missing[0]] = unknown.get(missing[0], 0) + 1
                continue
            # long sentences are cut into pieces of max_len tokens, so one cannot exhaust memory
            for start in range(0, len(s.tokens), max_len):
                item = enc.encode(s.tokens[start:start + max_len])
                item.update(tags=[enc.tag_index[t] for t in s.tags[start:start + max_len]], id=(i, start))
                items.append(item)
        if unknown:
            log.warning("skipped %d %s sentences with tags not seen in train: %s", sum(unknown.values()), split,
                        ", ".join(f"{k} x{v}" for k, v in list(unknown.items())[:5]))
        return items

    def collate(self, items: list[dict]) -> dict:
        return collate(items, self.meta.encoder.words.pad)

    @cached_property
    def lookup_f1(self) -> dict[str, float]:
        """Val and test entity F1 of the most-frequent-tag-per-word baseline fitted on train (baseline.py)."""
        return fit_lookup_baseline(self.items, self.meta.encoder.tags)
