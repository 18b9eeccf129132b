"""Charlm data: a text (stdlib corpus or text_file) -> first 90% train, last 10% val -> BPTT streams.

A split's items are its characters: `read` gives each split as one string, `encode` as one id
tensor (N,), and the loader cuts that into parallel streams whose batch i+1 continues batch i.
"""
from __future__ import annotations

import logging
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from suite.data.checks import check_fractions
from suite.data.datamodule import SuiteDataModule
from suite.data.loader_options import loader_kwargs
from suite.data.splits import Splits
from suite.errors import UserError
from tasks.charlm.compression import xz_bits_per_char
from tasks.charlm.corpus import build_stdlib_corpus
from tasks.charlm.meta import CharLMMeta
from tasks.charlm.readers import read_text_file
from tasks.charlm.streams import StreamBatches, make_streams, world

log = logging.getLogger(__name__)


def text_path(data: dict) -> Path:
    name = data["name"]
    if name == "python_stdlib":
        return build_stdlib_corpus(data["root"], int(data["max_chars"]))  # cached after the first build
    if name == "text_file":
        return Path(str(data["path"])).expanduser().absolute() if data.get("path") else data.get("path")
    raise UserError(f"unknown charlm data '{name}': use data=python_stdlib or text_file")


class CharLMDataModule(SuiteDataModule):
    meta_type = CharLMMeta
    item_kind = "characters"
    bpc_xz: float | None = None  # the compressor baseline of the val text, once read

    def generate(self) -> None:
        if self.data["name"] == "python_stdlib":  # rank 0 builds the corpus; the other ranks find it cached
            build_stdlib_corpus(self.data["root"], int(self.data["max_chars"]))

    def read(self) -> Splits:
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
        if d.get("compressor_baseline"):  # a few seconds a MB: beside val/bpc as val/bpc_xz (compression.py)
            self.bpc_xz = xz_bits_per_char(text[:cut], text[cut:])
        # no test split: the contract is first 90% train, last 10% val
        return Splits(train=text[:cut], val=text[cut:], notes=[f"charlm text: {Path(path).name}"])

    def build_meta(self, train: str) -> CharLMMeta:
        return CharLMMeta.build(train, self.data)

    def encode(self, text: str, split: str) -> torch.Tensor | list:
        if not text:
            return []  # the absent test split
        ids = self.meta.encode(text)  # (N,)
        unseen = int((ids == 0).sum())
        if unseen and split != "train":
            log.info("%d %s characters unseen in train (vocabulary %d)", unseen, split, len(self.meta.chars))
        return ids

    def loader(self, split: str, train: bool) -> DataLoader:
        """Stateful streams: batch i+1 continues batch i row by row, so neither shuffling nor a
        distributed sampler may touch the order; each DDP rank takes its own streams instead."""
        rank, size = world()  # called after DDP starts
        ids = self.items[split]
        n = min(int(self.data["batch_size"]), max(1, (ids.numel() - 1) // (2 * size)))  # short val texts: fewer streams
        x, y = make_streams(ids, n, rank, size)  # (B, L) each
        extra = {"bpc_xz": self.bpc_xz} if split == "val" and self.bpc_xz is not None else None
        return DataLoader(StreamBatches(x, y, int(self.data["bptt"]), extra), batch_size=None, shuffle=False,
                          **loader_kwargs(self.data))
