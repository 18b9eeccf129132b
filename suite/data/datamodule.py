"""The data-module base every task shares: the lifecycle is written here once.

`prepare_data` only generates (the synthetic default, on rank 0); `setup` reads the splits once,
reports what was skipped, builds the task's metadata from train (unless a checkpoint gave it),
encodes every split, and is idempotent. The loaders bucket items by length and collate them with
the task's function. A task writes the hooks:

  generate()                    write the synthetic default into the cache (default: the generator
                                named by `synthetic`, when the data is that one; else nothing)
  read() -> Splits              the splits as the task's items, with what was skipped
  build_meta(train) -> Meta     vocabularies / label maps / scalers, from the training split only
  encode(items, split) -> list  items -> what the collate takes (drop what cannot be used, log it)
  collate(items) -> dict        a batch: tensors, "size", and "ids" for evaluation
  length(item) -> int           bucketing key (default: len(item[length_key]); no length_key: plain batches)
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytorch_lightning as pl
from torch.utils.data import DataLoader

from suite.data.generated import split_sizes
from suite.data.loader_options import loader_kwargs
from suite.data.sampler import BucketBatchSampler
from suite.data.splits import SPLITS, Splits
from suite.meta import Meta

log = logging.getLogger(__name__)


class SuiteDataModule(pl.LightningDataModule):
    meta_type: type[Meta] = Meta  # the task's metadata dataclass
    path_keys: tuple[str, ...] = ("root", "path")  # data keys holding paths: made absolute in the metadata
    item_kind: str = "items"  # what one item is called in the log ("pairs", "reviews", ...)
    # (data name, generator(root, n_train=, n_val=, n_test=, seed=)): the synthetic default, built once
    synthetic: tuple[str, Callable] | None = None
    length_key: str | None = None  # the item key whose length buckets batches (None: no bucketing)

    def __init__(self, data: dict, meta: Meta | dict | None = None):
        super().__init__()
        self.data = dict(data)
        self.meta = self.meta_type.coerce(meta) if meta is not None else None
        self.items: dict[str, list] = {}
        self.skipped_at_setup = 0  # items the reader dropped; the module adds them to data/skipped

    # --- hooks ---------------------------------------------------------------------------------
    def generate(self) -> None:
        """Write the synthetic dataset into the cache (rank 0, before setup); real data: nothing."""
        if self.synthetic and self.data["name"] == self.synthetic[0]:  # the other ranks find it cached
            self.synthetic[1](self.data["root"], **split_sizes(self.data))

    def read(self) -> Splits:
        raise NotImplementedError(f"{type(self).__name__} must write the read() hook (CONTRIBUTING.md)")

    def build_meta(self, train: list) -> Meta:
        return self.meta_type(data=self.data)

    def encode(self, items: list, split: str) -> list:
        return items

    def collate(self, items: list) -> dict:
        raise NotImplementedError(f"{type(self).__name__} must write the collate() hook (CONTRIBUTING.md)")

    def length(self, item) -> int | None:
        return len(item[self.length_key]) if self.length_key else None  # None: no length bucketing

    # --- lifecycle -----------------------------------------------------------------------------
    def prepare_data(self) -> None:
        self.generate()

    def setup(self, stage: str | None = None) -> None:
        if self.items:
            return  # Lightning calls setup per stage; reading once serves all of them
        splits = self.read()
        for note in splits.notes:
            log.info(note)
        self.skipped_at_setup = len(splits.skipped) + splits.uncounted
        if self.skipped_at_setup:
            named = "; ".join(f"{n} ({r})" for n, r in splits.skipped[:3])
            log.warning("skipped %d unusable %s, %s; set data.strict=true to fail instead", self.skipped_at_setup,
                        self.item_kind, f"e.g. {named}" if named else "see the notes above")
        if self.meta is None:
            self.meta = self.build_meta(splits.train)
        self.items = {split: self.encode(getattr(splits, split), split) for split in SPLITS}
        log.info("%s data: %s", self.data.get("name", "?"),
                 " / ".join(f"{len(self.items[s])} {s}" for s in SPLITS) + f" {self.item_kind}")

    def metadata(self) -> Meta:
        self.meta.data = self._absolute_paths()
        return self.meta

    def _absolute_paths(self) -> dict:
        data = dict(self.data)
        for key in self.path_keys:  # absolute, so suite-eval works from any directory
            if isinstance(data.get(key), str) and data[key]:
                data[key] = str(Path(data[key]).expanduser().absolute())
        return data

    @property
    def has_test(self) -> bool:
        return bool(self.items.get("test"))

    # --- loaders -------------------------------------------------------------------------------
    def loader(self, split: str, train: bool) -> DataLoader:
        items, size = self.items[split], int(self.data["batch_size"])
        lengths = [self.length(it) for it in items] if items else []
        if items and lengths[0] is not None:  # similar lengths batched together: little padding
            sampler = BucketBatchSampler(lengths, size, shuffle=train, seed=int(self.data.get("seed", 0)))
            return DataLoader(items, batch_sampler=sampler, collate_fn=self.collate, **loader_kwargs(self.data))
        return DataLoader(items, batch_size=size, shuffle=train, collate_fn=self.collate, **loader_kwargs(self.data))

    def train_dataloader(self) -> DataLoader:
        return self.loader("train", True)

    def val_dataloader(self) -> DataLoader:
        return self.loader("val", False)

    def test_dataloader(self) -> DataLoader:
        return self.loader("test", False)
