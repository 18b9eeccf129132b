"""Activity data: reader by data name -> labelled clips -> cached decoded frames -> (B, T, 3, S, S) batches."""
from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset

from suite.data.loader_options import loader_kwargs
from suite.data.skips import Skipped, drop_skipped, warn_missing
from suite.data.split_loaders import SplitLoaders
from suite.data.video import VideoError
from suite.errors import UserError
from tasks.activity import readers
from tasks.activity.clips import ClipCache, sample_indices, to_clip
from tasks.activity.synthetic import generate_moving_shapes

log = logging.getLogger(__name__)

SAMPLINGS = ("tsn", "dense")


def read_splits(data: dict) -> readers.ClipSplits:
    """The reader named by data.name, with its own keys."""
    name, strict = data["name"], data.get("strict", False)
    if name == "moving_shapes":
        root = generate_moving_shapes(data["root"], n_train=data["n_train"], n_val=data["n_val"],
                                      n_test=data["n_test"], frames=data["frames"], size=data["size"],
                                      seed=data.get("seed", 0))
        return readers.read_video_folder(root, strict=strict)
    if name == "ucf101":
        return readers.read_ucf101(data["root"], int(data["split"]), val_fraction=data["val_fraction"],
                                   seed=data["seed"], strict=strict)
    if name == "video_folder":
        return readers.read_video_folder(data["root"], val_fraction=data["val_fraction"], seed=data["seed"],
                                         strict=strict)
    raise UserError(f"unknown activity data '{name}': use data=moving_shapes, ucf101 or video_folder")


def clip_cache(data: dict) -> ClipCache:
    return ClipCache(data.get("cache_dir"), data["image_size"], data["max_frames"])


class ClipDataset(Dataset):
    """Item i: K frames sampled from clip i's cached frames (random in training, centred in eval)."""

    def __init__(self, clips: list[readers.Clip], data: dict, train: bool):
        self.clips, self.train = clips, train
        self.cache = clip_cache(data)
        self.segments, self.sampling, self.stride = int(data["segments"]), data["sampling"], int(data["stride"])
        self.strict = data.get("strict", False)

    def __len__(self) -> int:
        return len(self.clips)

    def __getitem__(self, i: int):
        clip = self.clips[i]
        try:
            frames = self.cache.load(clip.path)  # (N, S, S, 3) uint8
        except VideoError as e:
            if self.strict:
                raise
            return Skipped(clip.path, e.reason or str(e))
        # torch's generator is seeded per worker by Lightning: sampling is reproducible
        rng = np.random.default_rng(int(torch.randint(0, 2**31 - 1, ())))
        idx = sample_indices(len(frames), self.segments, self.sampling, self.train, self.stride, rng)
        return {"clip": to_clip(frames, idx), "label": clip.label, "path": clip.path, "frames": idx.tolist()}


def collate(items: list) -> dict:
    items, skipped = drop_skipped(items)
    batch = {"skipped": skipped, "size": len(items)}
    if items:
        batch.update(clips=torch.stack([it["clip"] for it in items]),  # (B, T, 3, S, S) uint8
                     labels=torch.tensor([it["label"] for it in items], dtype=torch.long),  # (B,)
                     paths=[it["path"] for it in items],
                     frames=[it["frames"] for it in items])  # B lists of T decoded-frame indices: cache keys
    return batch


class ActivityDataModule(SplitLoaders, pl.LightningDataModule):
    def __init__(self, data: dict, vocab: dict | None = None):
        super().__init__()
        self.data = data
        self.classes: list[str] | None = list(vocab["classes"]) if vocab else None
        self.splits: readers.ClipSplits | None = None
        if data.get("sampling") not in SAMPLINGS:
            raise UserError(f"data.sampling={data.get('sampling')} is unknown: set data.sampling=tsn or dense")

    def prepare_data(self) -> None:
        if self.data["name"] == "moving_shapes":  # rank 0 generates; the other ranks find it cached
            read_splits(self.data)

    def setup(self, stage: str | None = None) -> None:
        if self.splits is not None:
            return
        splits = read_splits(self.data)
        for note in splits.notes:
            log.info(note)
        warn_missing(splits.missing, "videos")
        self.skipped_at_setup = len(splits.missing)  # counted in the module's data/skipped
        if self.classes is None:
            self.classes = splits.classes
        else:  # a checkpoint's label map: the same class names must mean the same indices
            self._relabel(splits)
        self.splits = splits
        log.info("activity data: %d train / %d val / %d test clips, %d classes",
                 len(splits.train), len(splits.val), len(splits.test), len(self.classes))

    def _relabel(self, splits: readers.ClipSplits) -> None:
        unknown = [c for c in splits.classes if c not in self.classes]
        if unknown:
            raise UserError(f"the data has classes the checkpoint never learned ({', '.join(unknown[:3])}):"
                            f" evaluate on data with the checkpoint's {len(self.classes)} classes")
        index = {c: self.classes.index(c) for c in splits.classes}
        for name in ("train", "val", "test"):
            clips = getattr(splits, name)
            setattr(splits, name, [readers.Clip(c.path, index[splits.classes[c.label]]) for c in clips])
        splits.classes = list(self.classes)

    def metadata(self) -> dict:
        """Plain data the checkpoint carries so that eval and predict need nothing else."""
        data = dict(self.data)
        for key in ("root", "cache_dir"):  # absolute, so suite-eval works from any directory
            if data.get(key):
                data[key] = str(Path(data[key]).expanduser().absolute())
        return {"vocab": {"classes": list(self.classes)}, "data": data}

    @property
    def has_test(self) -> bool:
        return bool(self.splits and self.splits.test)

    def _loader(self, split: str, train: bool) -> DataLoader:
        clips = getattr(self.splits, split)  # the records of "train", "val" or "test"
        return DataLoader(ClipDataset(clips, self.data, train), batch_size=int(self.data["batch_size"]),
                          shuffle=train, collate_fn=collate, **loader_kwargs(self.data))


DataModule = ActivityDataModule  # the name suite.registry looks up
