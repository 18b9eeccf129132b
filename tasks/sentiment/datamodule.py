"""Sentiment data: reader by data name -> tokenised reviews with label ids -> length-bucketed batches."""
from __future__ import annotations

import logging
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
from tasks.sentiment import readers
from tasks.sentiment.synthetic import generate_reviews

log = logging.getLogger(__name__)


def read_splits(data: dict) -> readers.ReviewSplits:
    name, strict = data["name"], bool(data.get("strict", False))
    if name == "synthetic_reviews":
        root = generate_reviews(data["root"], n_train=data["n_train"], n_val=data["n_val"], n_test=data["n_test"],
                                seed=data.get("seed", 0))
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


def clip(ids: list[int], max_len: int) -> list[int]:
    """At most max_len tokens: the head and the tail, where reviews state their verdict."""
    if len(ids) <= max_len:
        return ids
    head = max_len // 2
    return ids[:head] + ids[len(ids) - (max_len - head):]


def encode_text(text: str, vocab: Vocab, max_len: int) -> list[int]:
    return clip(vocab.encode(readers.tokenize(text)), max_len)


def collate(items: list[dict], pad: int) -> dict:
    tokens, lengths = pad_sequences([it["ids"] for it in items], pad)  # (B, T), (B,)
    return {"tokens": tokens, "lengths": lengths, "labels": torch.tensor([it["label"] for it in items]),  # (B,)
            "texts": [it["text"] for it in items], "ids": [it["id"] for it in items], "size": len(items)}


class SentimentDataModule(SplitLoaders, pl.LightningDataModule):
    def __init__(self, data: dict, vocab: dict | None = None):
        super().__init__()
        self.data = data
        self.words = Vocab.from_dict(vocab["words"]) if vocab else None
        self.labels: list[str] | None = list(vocab["labels"]) if vocab else None
        self.items: dict[str, list[dict]] = {}

    def prepare_data(self) -> None:
        if self.data["name"] == "synthetic_reviews":  # rank 0 generates; the other ranks find it cached
            read_splits(self.data)

    def setup(self, stage: str | None = None) -> None:
        if self.items:
            return
        d = self.data
        splits = read_splits(d)
        for note in splits.notes:
            log.info(note)
        self.skipped_at_setup = len(splits.skipped)  # counted in the module's data/skipped
        if splits.skipped:
            log.warning("skipped %d unusable reviews, e.g. %s; set data.strict=true to fail instead",
                        len(splits.skipped), "; ".join(f"{n} ({r})" for n, r in splits.skipped[:3]))
        if self.words is None:
            self.words = self._build_vocab([r.text for r in splits.train])
            self.labels = sorted({r.label for r in splits.train})
            if len(self.labels) < 2:
                raise UserError(f"the training data has a single label ({self.labels[0]!r}): a classifier "
                                f"needs at least two; check data.label_column")
        for name in ("train", "val", "test"):
            self.items[name] = self._encode(name, getattr(splits, name))
        log.info("sentiment data: %d train / %d val / %d test reviews; %d words; labels %s",
                 *(len(self.items[s]) for s in ("train", "val", "test")), len(self.words), ", ".join(self.labels))

    def _build_vocab(self, texts: list[str]) -> Vocab:
        vocab = Vocab.build((readers.tokenize(t) for t in texts), int(self.data["min_word_count"]))
        return Vocab(vocab.itos[: int(self.data["vocab_size"]) + len(SPECIALS)])  # most frequent first

    def _encode(self, split: str, reviews: list[readers.Review]) -> list[dict]:
        index = {lab: i for i, lab in enumerate(self.labels)}
        max_len, items, unknown, empty = int(self.data["max_len"]), [], {}, 0
        for i, r in enumerate(reviews):
            ids = encode_text(r.text, self.words, max_len)
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

    def metadata(self) -> dict:
        data = dict(self.data)
        for key in ("root", "path", "val_path", "test_path"):  # absolute, so suite-eval works from anywhere
            if data.get(key):
                data[key] = str(Path(data[key]).expanduser().absolute())
        return {"vocab": {"words": self.words.to_dict(), "labels": list(self.labels)}, "data": data}

    @property
    def has_test(self) -> bool:
        return bool(self.items.get("test"))

    def _loader(self, name: str, train: bool) -> DataLoader:
        items = self.items[name]
        sampler = BucketBatchSampler([len(it["ids"]) for it in items], int(self.data["batch_size"]), shuffle=train,
                                     seed=int(self.data.get("seed", 0)))
        return DataLoader(items, batch_sampler=sampler, **loader_kwargs(self.data),
                          collate_fn=partial(collate, pad=self.words.pad))


DataModule = SentimentDataModule  # the name suite.registry looks up
