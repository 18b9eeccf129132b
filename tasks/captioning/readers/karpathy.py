"""Karpathy split reader: one dataset_*.json (COCO, Flickr8k or Flickr30k) -> CaptionSplits."""

from __future__ import annotations

import os
from pathlib import Path

from suite.data.checks import check_root
from suite.errors import UserError

from .common import CaptionSplits, _finish, _Listed, _read_json
from .flickr8k import FLICKR_IMAGE_DIRS  # Karpathy's Flickr splits point into the same image folders

KARPATHY_SPLITS = {"train": "train", "restval": "train", "val": "val", "test": "test"}


def read_karpathy(root, json_path=None, *, strict=False) -> CaptionSplits:
    """dataset_{coco,flickr8k,flickr30k}.json with its train/restval/val/test splits.

    json_path=None finds the one dataset_*.json in root; a relative path is tried under root
    first, then against the working directory.
    """
    root = check_root(root, "the images and dataset_coco.json / dataset_flickr8k.json")
    path = _karpathy_json(root, json_path)
    data = _read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("images"), list):
        raise UserError(f"'{path}' is not a Karpathy split file (no 'images' list):"
                        f" set data.json=<dataset_coco.json, dataset_flickr8k.json"
                        f" or dataset_flickr30k.json>")
    splits: dict[str, list[_Listed]] = {"train": [], "val": [], "test": []}
    counts = {"restval": 0, "unknown": 0, "uncaptioned": 0}
    for im in data["images"]:
        split = KARPATHY_SPLITS.get(im.get("split"))
        caps = tuple(c for c in (_karpathy_caption(s) for s in im.get("sentences") or ()) if c)
        if split is None or not caps or not im.get("filename"):
            if strict and split is not None:
                raise UserError(f"'{path}': image {im.get('filename') or im.get('cocoid')!r} has no filename or no"
                                f" sentences: fix the file, or set data.strict=false to skip such entries")
            counts["unknown" if split is None else "uncaptioned"] += 1
            continue
        counts["restval"] += im.get("split") == "restval"
        image_id = str(im["cocoid"]) if "cocoid" in im else Path(im["filename"]).stem
        splits[split].append(_Listed(_karpathy_candidates(root, im), caps, image_id))
    notes = []
    if counts["restval"]:
        notes.append(f"{counts['restval']} 'restval' images added to train (the usual Karpathy convention)")
    if counts["unknown"]:
        notes.append(f"skipped {counts['unknown']} images whose split is not train/restval/val/test")
    if counts["uncaptioned"]:
        notes.append(f"skipped {counts['uncaptioned']} images without a filename or sentences")
    out = _finish(root, splits, notes, strict, path, root)
    out.unusable = counts["uncaptioned"]  # an unknown split is a choice of the file, not damage
    return out


def _karpathy_json(root: Path, json_path) -> Path:
    if json_path not in (None, ""):
        p = Path(os.path.expanduser(str(json_path)))
        p = p if p.is_absolute() or not (root / p).is_file() else root / p  # relative to root first
        if not p.is_file():
            raise UserError(f"data.json '{json_path}' does not exist: set data.json=<path to"
                            f" dataset_coco.json, dataset_flickr8k.json or dataset_flickr30k.json>")
        return p.absolute()
    found = sorted(root.glob("dataset_*.json"))
    if len(found) == 1:
        return found[0]
    if not found:
        raise UserError(f"no Karpathy split file (dataset_*.json) in '{root}':"
                        f" set data.json=<path to dataset_coco.json or dataset_flickr8k.json>")
    names = ", ".join(p.name for p in found)
    raise UserError(f"several Karpathy split files in '{root}' ({names}): choose one with data.json=<file>")


def _karpathy_candidates(root: Path, im: dict) -> tuple[Path, ...]:
    name, sub = im["filename"], im.get("filepath") or ""  # flickr files have no filepath
    dirs = ([root / sub, root / "images" / sub] if sub else []) + [root, root / "images"]
    dirs += [root / d for d in FLICKR_IMAGE_DIRS + ("flickr30k-images",)]
    return tuple(dict.fromkeys(d / name for d in dirs))


def _karpathy_caption(sentence: dict) -> str:
    raw = str(sentence.get("raw") or "").strip()
    return raw or " ".join(str(t) for t in sentence.get("tokens") or ()).strip()
