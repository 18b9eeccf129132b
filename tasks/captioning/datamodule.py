"""Captioning data: reader by data name -> datasets of (image, captions) -> padded batches."""
from __future__ import annotations

import logging
import random
from functools import partial
from pathlib import Path

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset
from torchvision.transforms import functional as TF

from suite.data.collate import pad_sequences
from suite.data.loader_options import loader_kwargs
from suite.data.media import MediaError, load_image
from suite.data.skips import Skipped, drop_skipped, warn_missing
from suite.data.split_loaders import SplitLoaders
from suite.data.vocab import Vocab, caption_tokens
from suite.errors import UserError
from tasks.captioning import readers
from tasks.captioning.synthetic import generate_shapes

log = logging.getLogger(__name__)


def read_splits(data: dict) -> readers.CaptionSplits:
    """The reader named by data.name, with its own keys."""
    name, strict = data["name"], data.get("strict", False)
    if name == "shapes":
        generate_shapes(data["root"], n_train=data["n_train"], n_val=data["n_val"], n_test=data["n_test"],
                        image_size=data["image_size"], seed=data.get("seed", 0))
        return readers.read_karpathy(data["root"], strict=strict)
    if name == "flickr8k":
        return readers.read_flickr8k(data["root"], val_fraction=data["val_fraction"], strict=strict)
    if name == "coco":
        return readers.read_coco(data["root"], year=data.get("year"), val_fraction=data["val_fraction"], strict=strict)
    if name == "karpathy":
        return readers.read_karpathy(data["root"], data.get("json"), strict=strict)
    raise UserError(f"unknown captioning data '{name}': use data=shapes, flickr8k, coco or karpathy")


def image_tensor(path: str, size: int) -> torch.Tensor:
    """Resize the short side to `size`, centre-crop a square: (3, size, size) uint8.

    Bytes, not floats, cross the loader and the host-to-GPU copy: 4x less traffic."""
    img = load_image(path)
    if img.size != (size, size):
        img = TF.center_crop(TF.resize(img, size, antialias=True), [size, size])
    return TF.pil_to_tensor(img)


class CaptionDataset(Dataset):
    """Training items are one reference drawn at random per visit; eval items carry all of them."""

    def __init__(self, records, vocab: Vocab, image_size: int, max_len: int, train: bool, strict: bool,
                 cache: bool = False):
        self.records, self.vocab, self.size, self.max_len = records, vocab, image_size, max_len
        self.train, self.strict = train, strict
        self.tokens = [[caption_tokens(c)[:max_len] for c in r.captions] for r in records]
        self.cache: dict[int, torch.Tensor] | None = {} if cache else None  # decoded images, per process

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, i: int):
        rec = self.records[i]
        try:
            image = self.cache.get(i) if self.cache is not None else None
            if image is None:
                image = image_tensor(rec.image, self.size)
                if self.cache is not None:
                    self.cache[i] = image
        except MediaError as e:
            if self.strict:
                raise
            return Skipped(rec.image, e.reason or str(e))
        refs = [t for t in self.tokens[i] if t] or [[]]
        chosen = random.choice(refs) if self.train else refs[0]
        return {"image": image, "caption": self.vocab.encode(chosen), "refs": [" ".join(t) for t in refs],
                "id": rec.image_id, "path": rec.image}


def collate(items: list, bos: int, eos: int, pad: int) -> dict:
    items, skipped = drop_skipped(items)
    batch = {"skipped": skipped, "size": len(items)}
    if not items:
        return batch
    caps_in, lengths = pad_sequences([[bos, *it["caption"]] for it in items], pad)  # (B, T), (B,)
    caps_out, _ = pad_sequences([[*it["caption"], eos] for it in items], pad)  # (B, T)
    batch.update(images=torch.stack([it["image"] for it in items]),  # (B, 3, S, S)
                 captions_in=caps_in, captions_out=caps_out, lengths=lengths,
                 refs=[it["refs"] for it in items], ids=[it["id"] for it in items],
                 paths=[it["path"] for it in items])
    return batch


class CaptionDataModule(SplitLoaders, pl.LightningDataModule):
    def __init__(self, data: dict, vocab: dict | None = None):
        super().__init__()
        self.data = data
        self.vocab = Vocab.from_dict(vocab) if vocab else None
        self.splits: readers.CaptionSplits | None = None

    def prepare_data(self) -> None:
        if self.data["name"] == "shapes":  # rank 0 renders; the other ranks find it cached
            read_splits(self.data)

    def setup(self, stage: str | None = None) -> None:
        if self.splits is not None:
            return
        self.splits = read_splits(self.data)
        for note in self.splits.notes:
            log.info(note)
        warn_missing(self.splits.missing, "images")
        self.skipped_at_setup = len(self.splits.missing)  # counted in the module's data/skipped
        if not self.splits.train and stage in (None, "fit"):
            raise UserError(f"data={self.data['name']} has no training images under {self.data.get('root')}: check data.root")
        if self.vocab is None:
            self.vocab = Vocab.build((caption_tokens(c) for r in self.splits.train for c in r.captions),
                                     self.data["min_word_count"])
        log.info("captioning data: %d train / %d val / %d test images, vocabulary %d words",
                 len(self.splits.train), len(self.splits.val), len(self.splits.test), len(self.vocab))

    def metadata(self) -> dict:
        """Plain data the checkpoint carries so that eval and predict need nothing else."""
        data = dict(self.data)
        for key in ("root", "json"):  # absolute, so suite-eval works from any directory
            if data.get(key):
                data[key] = str(Path(data[key]).expanduser().absolute())
        return {"vocab": self.vocab.to_dict(), "image_size": self.data["image_size"], "data": data}

    @property
    def has_test(self) -> bool:
        return bool(self.splits and self.splits.test)

    def _loader(self, split: str, train: bool) -> DataLoader:
        records = getattr(self.splits, split)  # the records of "train", "val" or "test"
        d = self.data
        ds = CaptionDataset(records, self.vocab, d["image_size"], d["max_caption_len"], train, d.get("strict", False),
                            cache=d.get("cache_images", False))
        return DataLoader(ds, batch_size=d["batch_size"], shuffle=train, **loader_kwargs(d),
                          collate_fn=partial(collate, bos=self.vocab.bos, eos=self.vocab.eos, pad=self.vocab.pad))


DataModule = CaptionDataModule  # the name suite.registry looks up
