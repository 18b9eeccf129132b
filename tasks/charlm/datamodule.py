"""Charlm data: a text (stdlib corpus or text_file) -> first 90% train, last 10% val -> BPTT streams."""
from __future__ import annotations

import logging
from pathlib import Path

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader

from suite.data.checks import check_fractions
from suite.data.loader_options import loader_kwargs
from suite.errors import UserError
from tasks.charlm.corpus import build_stdlib_corpus
from tasks.charlm.readers import read_text_file
from tasks.charlm.streams import StreamBatches, make_streams, world

log = logging.getLogger(__name__)
UNK = "\ufffd"  # id 0: characters never seen in training (val and prompts may hold some)


def text_path(data: dict) -> Path:
    name = data["name"]
    if name == "python_stdlib":
        return build_stdlib_corpus(data["root"], int(data["max_chars"]))
    if name == "text_file":
        return Path(str(data["path"])).expanduser().absolute() if data.get("path") else data.get("path")
    raise UserError(f"unknown charlm data '{name}': use data=python_stdlib or text_file")


def build_vocab(text: str) -> dict:
    """Characters of the training text (sorted) after UNK, with their counts for the unigram baseline."""
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    chars = [UNK, *sorted(c for c in counts if c != UNK)]
    return {"chars": chars, "counts": [counts.get(c, 0) for c in chars]}


def encode(text: str, chars: list[str]) -> torch.Tensor:
    index = {c: i for i, c in enumerate(chars)}
    return torch.tensor([index.get(c, 0) for c in text], dtype=torch.long)  # (N,)


class CharLMDataModule(pl.LightningDataModule):
    def __init__(self, data: dict, vocab: dict | None = None):
        super().__init__()
        self.data = data
        self.vocab = vocab
        self.ids: dict[str, torch.Tensor] = {}

    def prepare_data(self) -> None:
        if self.data["name"] == "python_stdlib":  # rank 0 builds the corpus; the other ranks find it cached
            text_path(self.data)

    def setup(self, stage: str | None = None) -> None:
        if self.ids:
            return
        d = self.data
        check_fractions(val_fraction=d["val_fraction"])
        if not d["val_fraction"]:
            raise UserError("data.val_fraction=0 leaves no validation text: set e.g. data.val_fraction=0.1")
        path = text_path(d)
        max_chars = int(d["max_chars"]) if d["name"] == "text_file" and d.get("max_chars") else None
        text = read_text_file(path, max_chars=max_chars)
        if max_chars and len(text) == max_chars:
            log.warning("%s holds more than data.max_chars=%d characters: training reads the first %d (raise "
                        "data.max_chars to read more; memory grows by 8 bytes a character)", Path(path).name,
                        max_chars, max_chars)
        cut = int(len(text) * (1 - d["val_fraction"]))
        train, val = text[:cut], text[cut:]
        if self.vocab is None:
            self.vocab = build_vocab(train)
        self.ids = {"train": encode(train, self.vocab["chars"]), "val": encode(val, self.vocab["chars"])}
        unseen = int((self.ids["val"] == 0).sum())
        log.info("charlm data: %s, %d train / %d val characters, vocabulary %d%s", Path(path).name, len(train),
                 len(val), len(self.vocab["chars"]), f" ({unseen} val characters unseen in train)" if unseen else "")

    def metadata(self) -> dict:
        data = dict(self.data)
        for key in ("root", "path"):  # absolute, so suite-eval works from any directory
            if data.get(key):
                data[key] = str(Path(data[key]).expanduser().absolute())
        return {"vocab": self.vocab, "data": data}

    @property
    def has_test(self) -> bool:
        return False  # the contract: first 90% train, last 10% val

    def _loader(self, split: str) -> DataLoader:
        rank, size = world()  # called after DDP starts: each rank takes its own streams
        ids = self.ids[split]
        n = min(int(self.data["batch_size"]), max(1, (ids.numel() - 1) // (2 * size)))  # short val texts: fewer streams
        x, y = make_streams(ids, n, rank, size)
        # batch_size=None, no shuffling: batch i+1 must continue batch i for the carried state
        return DataLoader(StreamBatches(x, y, int(self.data["bptt"])), batch_size=None, shuffle=False,
                          **loader_kwargs(self.data))

    def train_dataloader(self):
        return self._loader("train")

    def val_dataloader(self):
        return self._loader("val")


DataModule = CharLMDataModule  # the name suite.registry looks up
