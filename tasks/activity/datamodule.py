"""Activity data: reader by data name -> labelled clips -> cached decoded frames -> (B, T, 3, S, S) batches.

Videos are decoded (once, into the clip cache) and sampled in the collate, so in the loader
workers when there are any: an unreadable video becomes a `Skipped` entry there (counted by the
module, fatal with data.strict=true).
"""
from __future__ import annotations

from functools import cached_property

import numpy as np
import torch

from suite.data.datamodule import SuiteDataModule
from suite.data.skips import Skipped, drop_skipped
from suite.data.splits import Splits
from suite.data.video import VideoError
from suite.errors import UserError
from tasks.activity import readers
from tasks.activity.camera_clips import generate_camera_clips
from tasks.activity.clips import ClipCache, sample_indices, to_clip
from tasks.activity.meta import ActivityMeta
from tasks.activity.synthetic import generate_moving_shapes

SAMPLINGS = ("tsn", "dense")


def read_splits(data: dict) -> readers.ClipSplits:
    """The reader named by data.name, with its own keys (moving_shapes: the generated video folder;
    camera_clips: the generated UCF101 layout, split 1)."""
    name, strict = data["name"], data["strict"]
    if name == "moving_shapes":
        return readers.read_video_folder(data["root"], strict=strict)
    if name in ("ucf101", "camera_clips"):
        split = int(data["split"]) if name == "ucf101" else 1
        return readers.read_ucf101(data["root"], split, val_fraction=data["val_fraction"],
                                   seed=data["seed"], strict=strict)
    if name == "video_folder":
        return readers.read_video_folder(data["root"], val_fraction=data["val_fraction"], seed=data["seed"],
                                         strict=strict)
    raise UserError(f"unknown activity data '{name}': use data=moving_shapes, ucf101, video_folder or camera_clips")


def clip_cache(data: dict) -> ClipCache:
    return ClipCache(data["cache_dir"], data["image_size"], data["max_frames"])


def load_clip(item: dict, cache: ClipCache, data: dict):
    """An encoded item -> {"clip": (T, 3, S, S) uint8, "label", "path", "frames"}, or Skipped when its
    video cannot be decoded. K frames are sampled from the cached ones: random in training, centred
    in evaluation. With data.hflip, half the training clips are mirrored left-right, every frame
    alike: a motion to the left becomes one to the right, so it is only for labels that do not
    depend on the direction."""
    try:
        frames = cache.load(item["path"])  # (N, S, S, 3) uint8
    except VideoError as e:
        if data["strict"]:
            raise
        return Skipped(item["path"], e.reason or str(e))
    # torch's generator is seeded per worker by Lightning: sampling is reproducible
    rng = np.random.default_rng(int(torch.randint(0, 2**31 - 1, ())))
    idx = sample_indices(len(frames), int(data["segments"]), data["sampling"], item["train"], int(data["stride"]), rng)
    clip = to_clip(frames, idx)  # (K, 3, S, S) uint8
    if item["train"] and data["hflip"] and rng.random() < 0.5:
        clip = clip.flip(-1)  # (K, 3, S, S): the width axis reversed in every frame
    return {"clip": clip, "label": item["label"], "path": item["path"], "frames": idx.tolist()}


def collate(items: list) -> dict:
    """Loaded clips (or Skipped) -> a batch: clips (B, T, 3, S, S) uint8, labels, paths, frame indices."""
    items, skipped = drop_skipped(items)
    batch = {"skipped": skipped, "size": len(items)}
    if items:
        batch.update(clips=torch.stack([it["clip"] for it in items]),  # (B, T, 3, S, S) uint8
                     labels=torch.tensor([it["label"] for it in items], dtype=torch.long),  # (B,)
                     paths=[it["path"] for it in items],
                     ids=[it["path"] for it in items],  # a video is one item, whatever the split
                     frames=[it["frames"] for it in items])  # B lists of T decoded-frame indices: cache keys
    return batch


class ActivityDataModule(SuiteDataModule):
    meta_type = ActivityMeta
    path_keys = ("root", "cache_dir", "train_photos", "test_photos")
    item_kind = "videos"

    def __init__(self, data: dict, meta: ActivityMeta | dict | None = None):
        super().__init__(data, meta)
        if self.data.get("sampling") not in SAMPLINGS:
            raise UserError(f"data.sampling={self.data.get('sampling')} is unknown: set data.sampling=tsn or dense")
        self.classes_read: list[str] = []  # the reader's label order (set by read)

    def generate(self) -> None:
        d = self.data
        if d["name"] == "moving_shapes":  # rank 0 writes the videos; the other ranks find them cached
            generate_moving_shapes(d["root"], n_train=d["n_train"], n_val=d["n_val"], n_test=d["n_test"],
                                   frames=d["frames"], size=d["size"], seed=d["seed"])
        elif d["name"] == "camera_clips":
            generate_camera_clips(d["root"], train_photos=d["train_photos"], test_photos=d["test_photos"],
                                  train_per_photo=d["train_per_photo"], test_per_photo=d["test_per_photo"],
                                  frames=d["frames"], size=d["size"], seed=d["seed"])

    def read(self) -> Splits:
        self.generate()  # a cache check when prepare_data ran; suite-eval reads without it
        s = read_splits(self.data)
        self.classes_read = list(s.classes)
        return Splits(s.train, s.val, s.test, skipped=[(m, "listed but missing on disk") for m in s.missing],
                      notes=s.notes)

    def build_meta(self, train: list) -> ActivityMeta:
        return ActivityMeta(data=self.data, classes=list(self.classes_read))

    def encode(self, clips: list, split: str) -> list[dict]:
        """The reader's labels as indices into the model's classes (a checkpoint's label map: the
        same class names must mean the same indices)."""
        known = {c: i for i, c in enumerate(self.meta.classes)}
        unknown = [c for c in self.classes_read if c not in known]
        if unknown:
            raise UserError(f"the data has classes the checkpoint never learned ({', '.join(unknown[:3])}):"
                            f" evaluate on data with the checkpoint's {len(known)} classes")
        return [{"path": c.path, "label": known[self.classes_read[c.label]], "train": split == "train"}
                for c in clips]

    @cached_property
    def _clip_cache(self) -> ClipCache:
        return clip_cache(self.data)

    def collate(self, items: list[dict]) -> dict:
        return collate([load_clip(it, self._clip_cache, self.data) for it in items])
