"""Sentiment data: reader by data name -> tokenised reviews with label ids -> length-bucketed batches."""
from __future__ import annotations

import logging
from functools import cached_property

import torch

from suite.data.collate import pad_sequences
from suite.data.datamodule import SuiteDataModule
from suite.data.generated import split_sizes
from suite.data.splits import Splits
from suite.data.vocab import SPECIALS, Vocab
from suite.errors import UserError
from tasks.sentiment import readers
from tasks.sentiment.baseline import fit_bow_baseline
from tasks.sentiment.meta import SentimentMeta
from tasks.sentiment.synthetic import generate_reviews

log = logging.getLogger(__name__)


def read_splits(data: dict) -> readers.ReviewSplits:
    name, strict = data["name"], bool(data.get("strict", False))
    if name == "synthetic_reviews":
        root = generate_reviews(data["root"], **split_sizes(data))
        return readers.read_text_csv(root / "train.csv", val_path=root / "val.csv", test_path=root / "test.csv",
                                     strict=strict)
    if name == "text_csv":
        return readers.read_text_csv(data["path"], text_column=data["text_column"],
                                     label_column=data["label_column"], val_path=data.get("val_path"),
                                     test_path=data.get("test_path"), val_fraction=data["val_fraction"],
                                     test_fraction=data["test_fraction"], seed=data["seed"], strict=strict)
    if name == "imdb":
        return readers.read_imdb(data["root"], val_fraction=data["val_fraction"], seed=data["seed"], strict=strict)
    raise UserError(f"unknown sentiment data '{name}': use data=synthetic_reviews, imdb or text_csv")


class SentimentDataModule(SuiteDataModule):
    meta_type = SentimentMeta
    item_kind = "reviews"
    synthetic = ("synthetic_reviews", generate_reviews)  # generated once into the cache
    length_key = "ids"  # bucket by review length
    path_keys = ("root", "path", "val_path", "test_path")

    def read(self) -> Splits:
        s = read_splits(self.data)
        return Splits(s.train, s.val, s.test, skipped=s.skipped, notes=s.notes)

    def build_meta(self, train: list[readers.Review]) -> SentimentMeta:
        words = Vocab.build((readers.tokenize(r.text) for r in train), int(self.data["min_word_count"]))
        words = Vocab(words.itos[: int(self.data["vocab_size"]) + len(SPECIALS)])  # most frequent first
        labels = sorted({r.label for r in train})
        if len(labels) < 2:
            raise UserError(f"the training data has a single label ({labels[0]!r}): a classifier needs at least "
                            f"two; check data.label_column")
        log.info("sentiment vocabulary: %d words; labels %s", len(words), ", ".join(labels))
        return SentimentMeta(data=self.data, words=words, labels=labels)

    def encode(self, reviews: list[readers.Review], split: str) -> list[dict]:
        index = {lab: i for i, lab in enumerate(self.meta.labels)}
        items, unknown, empty = [], {}, 0
        for i, r in enumerate(reviews):
            ids = self.meta.encode(r.text)
            if r.label not in index:
                unknown[r.label] = unknown.get(r.label, 0) + 1
            elif not ids:
                empty += 1
            else:
                items.append({"ids": ids, "label": index[r.label], "text": r.text, "id": i})
        if unknown:
            log.warning("skipped %d %s reviews with labels not seen in train: %s", sum(unknown.values()), split,
                        ", ".join(f"{k!r} x{v}" for k, v in list(unknown.items())[:5]))
        if empty:
            log.warning("skipped %d %s reviews without a single word", empty, split)
        return items

    def collate(self, items: list[dict]) -> dict:
        tokens, lengths = pad_sequences([it["ids"] for it in items], self.meta.words.pad)  # (B, T), (B,)
        return {"tokens": tokens, "lengths": lengths, "labels": torch.tensor([it["label"] for it in items]),  # (B,)
                "texts": [it["text"] for it in items], "ids": [it["id"] for it in items], "size": len(items)}

    @cached_property
    def bow_accuracy(self) -> dict[str, float]:
        """Val and test accuracy of the bag-of-words baseline fitted on train (baseline.py)."""
        return fit_bow_baseline(self.items)
