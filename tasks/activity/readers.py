"""Activity readers: UCF101 (official split lists) and a plain {train,val,test}/<class>/ folder.

Readers only list files and labels: they never decode and never log. What the caller should tell
the user is in `ClipSplits.notes`; listed files absent on disk are in `missing` (or fatal with
strict=True). Unreadable videos are found later, when the loader decodes them (skipped, counted).
"""
from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from suite.data.checks import check_fractions, check_root
from suite.data.video import is_video_name
from suite.errors import UserError

# 10% of UCF101's ~25 training groups per class is 2-3 groups (~950 clips): a steady val
# accuracy that costs train little; seed 0 gives every run the same split.
FRACTION, SEED = 0.1, 0
UCF_VIDEO_DIRS = ("UCF-101", "UCF101", "videos", "")  # official rar unpacks to UCF-101/
UCF_LIST_DIRS = ("ucfTrainTestlist", "UCF101TrainTestSplits-RecognitionTask/ucfTrainTestlist", "")
_GROUP = re.compile(r"_g(\d+)_c\d+", re.IGNORECASE)  # v_<Class>_g<group>_c<clip>.avi


@dataclass(frozen=True)
class Clip:
    path: str  # absolute
    label: int  # index into ClipSplits.classes


@dataclass
class ClipSplits:
    classes: list[str]
    train: list[Clip] = field(default_factory=list)
    val: list[Clip] = field(default_factory=list)
    test: list[Clip] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # listed but absent, relative to root
    notes: list[str] = field(default_factory=list)  # sentences for the caller to log


# ------------------------------------------------------------------------------------- UCF101


def read_ucf101(root, split: int = 1, *, val_fraction: float = FRACTION, seed: int = SEED,
                strict: bool = False) -> ClipSplits:
    """UCF-101/<Class>/*.avi + ucfTrainTestlist/{classInd,trainlist0N,testlist0N}.txt.

    UCF101 has no validation list, and its clips of one group are cut from the same long video,
    so a random split would leak near-duplicates into val: val is whole groups carved from train.
    """
    root = check_root(root, "UCF-101/<Class>/*.avi and ucfTrainTestlist/")
    if split not in (1, 2, 3):
        raise UserError(f"data.split={split} is not a UCF101 split: set data.split=1, 2 or 3")
    check_fractions(val_fraction=val_fraction)
    lists = next((root / d for d in UCF_LIST_DIRS if (root / d / "classInd.txt").is_file()), None)
    if lists is None:
        raise UserError(f"no ucfTrainTestlist/classInd.txt under '{root}': unpack UCF101TrainTestSplits-"
                        f"RecognitionTask.zip there, or set data.root=<folder holding UCF-101/ and ucfTrainTestlist/>")
    videos = next((root / d for d in UCF_VIDEO_DIRS if d and (root / d).is_dir()), root)
    classes = _class_index(lists / "classInd.txt")
    label = {c.lower(): i for i, c in enumerate(classes)}
    out = ClipSplits(classes=list(classes))
    for name in ("train", "test"):
        list_file = lists / f"{name}list{split:02d}.txt"
        if not list_file.is_file():
            raise UserError(f"no {list_file.name} in '{lists}': the split lists are incomplete, re-unpack them")
        clips = []
        for rel in _listed(list_file):
            cls = rel.split("/", 1)[0].lower()
            if cls not in label:
                raise UserError(f"'{rel}' in {list_file.name} names class '{rel.split('/', 1)[0]}', which is not in"
                                f" classInd.txt: use the classInd.txt of the same download")
            clips.append(Clip(str(videos / rel), label[cls]))
        setattr(out, name, _present(clips, root, list_file.name, out.missing, strict))
    out.train, out.val, groups = _carve_groups(out.train, val_fraction, seed)
    out.notes.append(f"UCF101 split {split}: {len(out.train)} train / {len(out.test)} test clips from"
                     f" {list_file.parent.name}/; no validation list, so val is {len(out.val)} clips of {groups}"
                     f" whole groups (v_<Class>_gNN: clips of one group come from one long video) carved from"
                     f" trainlist{split:02d} ({val_fraction * 100:g}% of each class's groups, seed {seed})")
    _check_any(out, root)
    return out


def _class_index(path: Path) -> list[str]:
    """classInd.txt lines `1 ApplyEyeMakeup` -> class names ordered by their 1-based index."""
    entries = []
    for n, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 2 or not parts[0].isdigit():
            raise UserError(f"{path.name} line {n} reads '{line.strip()}': expected '<index> <ClassName>'")
        entries.append((int(parts[0]), parts[1]))
    if not entries:
        raise UserError(f"{path} lists no classes: re-unpack the UCF101 split lists")
    return [name for _, name in sorted(entries)]


def _listed(path: Path) -> list[str]:
    """Split-list lines `Class/v_Class_g08_c01.avi [label]` -> relative paths (forward slashes)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [ln.split()[0].replace("\\", "/") for ln in lines if ln.strip()]


def group_of(path: str) -> str:
    """'.../v_Archery_g08_c01.avi' -> 'Archery/g08': clips sharing it come from one long video."""
    m = _GROUP.search(Path(path).stem)
    return f"{Path(path).parent.name}/g{m.group(1) if m else Path(path).stem}"


def _carve_groups(clips: list[Clip], fraction: float, seed: int) -> tuple[list[Clip], list[Clip], int]:
    """(train, val, #val groups): per class, a seeded `fraction` of its groups (at least one when the
    class has two or more) goes to val whole."""
    by_class: dict[int, list[str]] = {}
    for c in clips:
        groups = by_class.setdefault(c.label, [])
        if group_of(c.path) not in groups:
            groups.append(group_of(c.path))
    rng, held = random.Random(seed), set()
    for label in sorted(by_class):
        groups = sorted(by_class[label])
        k = 0 if fraction <= 0 or len(groups) < 2 else min(len(groups) - 1, max(1, round(fraction * len(groups))))
        held.update(rng.sample(groups, k))
    train = [c for c in clips if group_of(c.path) not in held]
    return train, [c for c in clips if group_of(c.path) in held], len(held)


# ------------------------------------------------------------------------------- video folder


def read_video_folder(root, *, val_fraction: float = FRACTION, seed: int = SEED, strict: bool = False) -> ClipSplits:
    """root/{train,val,test}/<class>/*.{avi,mp4,mkv,webm,mov}; classes are train's folders, sorted.

    No val/: val is carved from train (seeded, per class). No test/: the test split is empty.
    """
    root = check_root(root, "train/<class>/*.mp4 (and optionally val/ and test/)")
    check_fractions(val_fraction=val_fraction)
    train_dir = root / "train"
    classes = sorted(d.name for d in train_dir.iterdir() if d.is_dir() and not d.name.startswith(".")) \
        if train_dir.is_dir() else []
    if not classes:
        raise UserError(f"no class folders in '{train_dir}': lay the data out as"
                        f" {root}/train/<class>/<video>.mp4 (val/ and test/ alike)")
    out = ClipSplits(classes=classes)
    label = {c: i for i, c in enumerate(classes)}
    for split in ("train", "val", "test"):
        folder = root / split
        if not folder.is_dir():
            continue
        unknown = []
        for cls_dir in sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith(".")):
            if cls_dir.name not in label:
                unknown.append(cls_dir.name)
                continue
            names = sorted(n for n in os.listdir(cls_dir) if is_video_name(n))
            getattr(out, split).extend(Clip(str(cls_dir / n), label[cls_dir.name]) for n in names)
        if unknown:
            out.notes.append(f"{split}/ has class folders absent from train/ ({', '.join(unknown[:3])}):"
                             f" their videos are not used")
    if not (root / "val").is_dir():
        out.train, out.val = _carve_clips(out.train, val_fraction, seed)
        out.notes.append(f"no val/ folder in {root}: carved {val_fraction * 100:g}% of each class's train videos"
                         f" as val ({len(out.val)} clips, seed {seed})")
    _check_any(out, root)
    return out


def _carve_clips(clips: list[Clip], fraction: float, seed: int) -> tuple[list[Clip], list[Clip]]:
    rng, val = random.Random(seed), set()
    for label in sorted({c.label for c in clips}):
        paths = sorted(c.path for c in clips if c.label == label)
        k = 0 if fraction <= 0 or len(paths) < 2 else min(len(paths) - 1, max(1, round(fraction * len(paths))))
        val.update(rng.sample(paths, k))
    return [c for c in clips if c.path not in val], [c for c in clips if c.path in val]


# ------------------------------------------------------------------------------------- shared


def _present(clips: list[Clip], root: Path, source: str, missing: list[str], strict: bool) -> list[Clip]:
    """Clips whose file exists (one listing per folder); the rest go to `missing` or are fatal."""
    listings: dict[str, set[str]] = {}
    kept = []
    for c in clips:
        folder, name = os.path.split(c.path)
        if folder not in listings:
            listings[folder] = set(os.listdir(folder)) if os.path.isdir(folder) else set()
        if name in listings[folder]:
            kept.append(c)
        elif strict:
            raise UserError(f"video '{c.path}' listed in {source} is missing: restore it,"
                            f" or set data.strict=false to skip missing videos")
        else:
            missing.append(os.path.relpath(c.path, root))
    return kept


def _check_any(out: ClipSplits, root: Path) -> None:
    if not out.train:
        raise UserError(f"no training videos found under '{root}': check data.root (every listed video is missing"
                        f" or the class folders are empty)")
