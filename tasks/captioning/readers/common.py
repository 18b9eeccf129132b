"""Shared by the caption readers: records, splits, carving, presence checks and file helpers."""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

from suite.data.media import IMAGE_EXTENSIONS
from suite.errors import UserError

# Carving defaults: 5% is ~400 of Flickr8k's 8091 images (~2000 references, a steady BLEU) and
# ~4000 of COCO train2014, while costing train little; seed 0 gives every run the same split.
FRACTION, SEED = 0.05, 0


@dataclass(frozen=True)
class CaptionRecord:
    image: str  # absolute path
    captions: tuple[str, ...]  # raw reference captions
    image_id: str


@dataclass
class CaptionSplits:
    train: list[CaptionRecord] = field(default_factory=list)
    val: list[CaptionRecord] = field(default_factory=list)
    test: list[CaptionRecord] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # listed images absent on disk, relative to root
    unusable: int = 0  # annotation entries dropped while reading (described in the notes)
    notes: list[str] = field(default_factory=list)  # sentences for the caller to log


@dataclass(frozen=True)
class _Listed:  # an annotated image before we know whether it is on disk
    candidates: tuple[Path, ...]  # where it may be, first = where it is expected
    captions: tuple[str, ...]
    image_id: str


def _finish(root, splits, notes, strict, source, image_dir) -> CaptionSplits:
    """Drop (or, if strict, refuse) listed images absent on disk; error if nothing is left."""
    out, present = CaptionSplits(notes=notes), _Presence()
    listed = 0
    for name in ("train", "val", "test"):
        kept = getattr(out, name)
        for item in splits[name]:
            listed += 1
            found = next((p for p in item.candidates if present(p)), None)
            if found is not None:
                kept.append(CaptionRecord(str(found), item.captions, item.image_id))
            elif strict:
                raise UserError(f"image '{item.candidates[0]}' listed in {_name(source)} is missing:"
                                f" restore it, or set data.strict=false to skip missing images")
            else:
                out.missing.append(os.path.relpath(item.candidates[0], root))
        if splits[name] and not kept:
            notes.append(f"every image of the {name} split is missing: it is empty")
    if listed == 0:
        raise UserError(f"no captioned images listed in '{source}': check that the file is complete")
    if not (out.train or out.val or out.test):
        raise UserError(f"no usable images: {listed} listed in {_name(source)}, all missing under"
                        f" '{image_dir}': set data.root=<folder that holds the image files>")
    return out


class _Presence:
    """`present(path)` answered from one directory listing per folder (fast on network disks)."""

    def __init__(self):
        self._listings: dict[str, set[str]] = {}

    def __call__(self, path: Path) -> bool:
        folder, name = os.path.split(path)
        if folder not in self._listings:
            self._listings[folder] = set(os.listdir(folder)) if os.path.isdir(folder) else set()
        return name in self._listings[folder]


def _carve(items: list, fractions, seed: int) -> list[list]:
    """[rest, part_1, ...]: seeded random parts of `fractions` of the items, each in input order."""
    n = len(items)
    counts = [0 if f <= 0 or n < 2 else max(1, round(f * n)) for f in fractions]
    while sum(counts) > n - 1 and any(counts):  # always leave at least one item in the rest
        counts[counts.index(max(counts))] -= 1
    order = sorted(range(n), key=lambda i: items[i].image_id)  # independent of file order
    random.Random(seed).shuffle(order)
    parts, start = [], 0
    for c in counts:
        parts.append(sorted(order[start:start + c]))
        start += c
    rest = sorted(order[start:])
    return [[items[i] for i in idx] for idx in [rest, *parts]]


def _first_file(dirs, names) -> Path | None:
    return next((d / n for n in names for d in dirs if (d / n).is_file()), None)


def _first_dir(dirs) -> Path | None:
    return next((d for d in dirs if d.is_dir()), None)


def _read_names(path: Path) -> list[str]:
    return [line.strip() for line in _read_text(path).splitlines() if line.strip()]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")  # -sig: copies re-saved on Windows carry a BOM
    except UnicodeDecodeError as e:
        raise UserError(f"'{path}' is not UTF-8 text ({e.reason} at byte {e.start}): re-download it") from e


def _read_json(path: Path):
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as e:
        raise UserError(f"'{path}' is not valid JSON ({e.msg} at line {e.lineno}): re-download it") from e


def _is_image_name(name: str) -> bool:
    return name.lower().endswith(IMAGE_EXTENSIONS)


def _unique(names):
    return list(dict.fromkeys(names))


def _pct(f: float) -> str:
    return f"{f * 100:g}%"


def _name(source) -> str:
    return Path(source).name
