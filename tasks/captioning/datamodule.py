"""Captioning data: reader by data name -> (image path, references) items -> batches of uint8 images.

Images are decoded in the collate, so in the loader workers when there are any: an unreadable
image becomes a `Skipped` entry there (counted by the module, fatal with data.strict=true).
"""
from __future__ import annotations

import random
from functools import cached_property
from pathlib import Path

import torch
from torchvision.transforms import functional as TF

from suite.data.collate import pad_sequences
from suite.data.datamodule import SuiteDataModule
from suite.data.media import MediaError, load_image
from suite.data.skips import Skipped, drop_skipped
from suite.data.splits import Splits
from suite.data.vocab import Vocab, caption_tokens
from suite.errors import UserError
from tasks.captioning import readers
from tasks.captioning.baselines import baseline_metrics
from tasks.captioning.meta import CaptioningMeta
from tasks.captioning.scenes import read_scenes
from tasks.captioning.synthetic import NAME as SHAPES_NAME, generate_shapes


def read_splits(data: dict) -> readers.CaptionSplits:
    """The reader named by data.name, with its own keys (shapes: the generated Karpathy json)."""
    name, strict = data["name"], data["strict"]
    if name == "shapes":
        return readers.read_karpathy(data["root"], strict=strict)
    if name == "flickr8k":
        return readers.read_flickr8k(data["root"], val_fraction=data["val_fraction"], strict=strict)
    if name == "coco":
        return readers.read_coco(data["root"], year=data["year"], val_fraction=data["val_fraction"], strict=strict)
    if name == "karpathy":
        return readers.read_karpathy(data["root"], data["json"], strict=strict)
    raise UserError(f"unknown captioning data '{name}': use data=shapes, flickr8k, coco or karpathy")


def image_tensor(path: str, size: int) -> torch.Tensor:
    """Resize the short side to `size`, centre-crop a square: (3, size, size) uint8.

    Bytes, not floats, cross the loader and the host-to-GPU copy: 4x less traffic."""
    img = load_image(path)
    if img.size != (size, size):
        img = TF.center_crop(TF.resize(img, size, antialias=True), [size, size])
    return TF.pil_to_tensor(img)


def collate(items: list, bos: int, eos: int, pad: int) -> dict:
    """Loaded items (or Skipped) -> a batch: images (B, 3, S, S) uint8, captions in/out, references."""
    items, skipped = drop_skipped(items)
    batch = {"skipped": skipped, "size": len(items)}
    if not items:
        return batch
    caps_in, lengths = pad_sequences([[bos, *it["caption"]] for it in items], pad)  # (B, T), (B,)
    caps_out, _ = pad_sequences([[*it["caption"], eos] for it in items], pad)  # (B, T)
    batch.update(images=torch.stack([it["pixels"] for it in items]),  # (B, 3, S, S)
                 captions_in=caps_in, captions_out=caps_out, lengths=lengths,
                 refs=[it["refs"] for it in items], ids=[it["id"] for it in items],
                 paths=[it["image"] for it in items], scenes=[it["scene"] for it in items])
    return batch


class CaptionDataModule(SuiteDataModule):
    meta_type = CaptioningMeta
    path_keys = ("root", "json")
    item_kind = "images"

    def generate(self) -> None:
        d = self.data
        if d["name"] == "shapes":  # rank 0 renders; the other ranks find it cached
            generate_shapes(d["root"], n_train=d["n_train"], n_val=d["n_val"], n_test=d["n_test"],
                            image_size=d["image_size"], seed=d["seed"])

    def read(self) -> Splits:
        self.generate()  # a cache check when prepare_data ran; suite-eval reads without it
        s = read_splits(self.data)
        # what the generator drew, by image id: relation accuracy compares captions with it
        self.scenes = read_scenes(Path(self.data["root"]) / f"dataset_{SHAPES_NAME}.json") \
            if self.data["name"] == "shapes" else {}
        return Splits(s.train, s.val, s.test, skipped=[(m, "listed but missing on disk") for m in s.missing],
                      uncounted=s.unusable, notes=s.notes)

    def build_meta(self, train: list) -> CaptioningMeta:
        if not train:
            raise UserError(f"data={self.data['name']} has no training images under {self.data.get('root')}:"
                            f" check data.root")
        words = (caption_tokens(c) for r in train for c in r.captions)
        return CaptioningMeta(data=self.data, vocab=Vocab.build(words, self.data["min_word_count"]))

    def encode(self, records: list, split: str) -> list[dict]:
        """Each image with its references, tokenised and cut to data.max_caption_len words;
        training draws one reference at random per visit, evaluation feeds the first."""
        max_len, vocab = int(self.data["max_caption_len"]), self.meta.vocab
        items = []
        for rec in records:
            refs = [t for t in (caption_tokens(c)[:max_len] for c in rec.captions) if t] or [[]]
            items.append({"image": rec.image, "id": rec.image_id, "train": split == "train",
                          "captions": [vocab.encode(t) for t in refs], "refs": [" ".join(t) for t in refs],
                          "scene": self.scenes.get(rec.image_id)})  # None: real data, no scene stored
        return items

    @cached_property
    def scene_baselines(self) -> dict[str, dict[str, float]]:
        """split -> the image-blind and layout-blind baselines' metrics (baselines.py), for the
        val and test splits whose every image has a stored scene (the synthetic shapes)."""
        train_refs = [r for it in self.items.get("train", []) for r in it["refs"]]
        out = {}
        for split in ("val", "test"):
            items = self.items.get(split) or []
            if train_refs and items and all(it["scene"] is not None for it in items):
                out[split] = baseline_metrics(train_refs, [it["scene"] for it in items], [it["refs"] for it in items])
        return out

    @cached_property
    def _decoded(self) -> dict[str, torch.Tensor] | None:
        """Decoded images by path (data.cache_images): in each loader process, its own."""
        return {} if self.data["cache_images"] else None

    def _load(self, item: dict):
        path = item["image"]
        try:
            pixels = self._decoded.get(path) if self._decoded is not None else None
            if pixels is None:
                pixels = image_tensor(path, int(self.data["image_size"]))
                if self._decoded is not None:
                    self._decoded[path] = pixels
        except MediaError as e:
            if self.data["strict"]:
                raise
            return Skipped(path, e.reason or str(e))
        caption = random.choice(item["captions"]) if item["train"] else item["captions"][0]
        return {**item, "pixels": pixels, "caption": caption}

    def collate(self, items: list[dict]) -> dict:
        v = self.meta.vocab
        return collate([self._load(it) for it in items], bos=v.bos, eos=v.eos, pad=v.pad)
