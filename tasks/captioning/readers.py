"""Captioning dataset readers (Flickr8k, COCO captions, Karpathy splits) -> CaptionSplits.

Readers only read: they never log or warn. Anything the caller should tell the user is in
`CaptionSplits.notes` (sentences) and `CaptionSplits.missing` (listed images absent on disk).
Splits are carved from the *listed* images before missing files are dropped, so a partial copy
of a dataset gets the same split assignment as the full one.
"""

from __future__ import annotations

import csv
import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

from suite.data.media import IMAGE_EXTENSIONS
from suite.errors import UserError

# Official archive (sic), the corrected spelling some mirrors use, and the Kaggle copy.
FLICKR_IMAGE_DIRS = ("Flicker8k_Dataset", "Flickr8k_Dataset", "Images")
FLICKR_TEXT_DIRS = ("", "Flickr8k_text")  # official zip unpacks its text files into Flickr8k_text/
FLICKR_CAPTION_FILES = ("Flickr8k.token.txt", "captions.txt")  # official first, then Kaggle CSV
FLICKR_SPLIT_FILES = {
    "train": "Flickr_8k.trainImages.txt",
    "val": "Flickr_8k.devImages.txt",
    "test": "Flickr_8k.testImages.txt",
}
COCO_YEARS = (2017, 2014)  # the only releases with caption annotations; newest preferred
KARPATHY_SPLITS = {"train": "train", "restval": "train", "val": "val", "test": "test"}
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
    notes: list[str] = field(default_factory=list)  # sentences for the caller to log


@dataclass(frozen=True)
class _Listed:  # an annotated image before we know whether it is on disk
    candidates: tuple[Path, ...]  # where it may be, first = where it is expected
    captions: tuple[str, ...]
    image_id: str


# ----------------------------------------------------------------------------- Flickr8k


def read_flickr8k(
    root, *, val_fraction=FRACTION, test_fraction=FRACTION, seed=SEED, strict=False
) -> CaptionSplits:
    """Flickr8k.token.txt or Kaggle captions.txt (+ Flickr_8k.*Images.txt if present).

    The fractions are used only for splits whose file is absent (the Kaggle copy has none).
    strict=False because partial copies are common: missing images are dropped and listed.
    """
    root = _check_root(root, "Flickr8k.token.txt or captions.txt and Flicker8k_Dataset/ or Images/")
    _check_fractions(val_fraction=val_fraction, test_fraction=test_fraction)
    text_dirs = [root / d for d in FLICKR_TEXT_DIRS]
    cap_file = _first_file(text_dirs, FLICKR_CAPTION_FILES)
    if cap_file is None:
        raise UserError(
            f"no Flickr8k captions file under '{root}' (looked for {' or '.join(FLICKR_CAPTION_FILES)}"
            f" at the root and in Flickr8k_text/): set data.root=<folder holding them>"
        )
    image_dir = _first_dir([root / d for d in FLICKR_IMAGE_DIRS])
    if image_dir is None:
        raise UserError(
            f"no Flickr8k image folder under '{root}' (looked for {', '.join(FLICKR_IMAGE_DIRS)}):"
            f" set data.root=<folder holding one of them>"
        )
    notes: list[str] = []
    reader = _flickr_token if cap_file.name == FLICKR_CAPTION_FILES[0] else _flickr_csv
    captions, bad = reader(cap_file)
    if bad:
        notes.append(f"skipped {len(bad)} lines of {cap_file.name} whose image is not an image"
                     f" file name (e.g. '{bad[0]}')")
    items = {n: _Listed((image_dir / n,), tuple(c), Path(n).stem) for n, c in captions.items()}
    lists = {s: _read_names(f) for s, name in FLICKR_SPLIT_FILES.items()
             if (f := _first_file(text_dirs, (name,))) is not None}
    splits = _flickr_splits(items, lists, val_fraction, test_fraction, seed, notes)
    return _finish(root, splits, notes, strict, cap_file, image_dir)


def _flickr_splits(items, lists, val_fraction, test_fraction, seed, notes) -> dict[str, list]:
    if not lists:  # the Kaggle copy ships no split files
        train, test, val = _carve(list(items.values()), (test_fraction, val_fraction), seed)
        notes.append(f"no split files ({', '.join(FLICKR_SPLIT_FILES.values())}) in the data: carved"
                     f" {_pct(test_fraction)} of images as test ({len(test)}) and {_pct(val_fraction)}"
                     f" as val ({len(val)}) (seed {seed})")
        return {"train": train, "val": val, "test": test}
    uncaptioned = sorted({n for names in lists.values() for n in names if n not in items})
    if uncaptioned:
        notes.append(f"{len(uncaptioned)} images in the split files have no captions and are skipped"
                     f" (e.g. '{uncaptioned[0]}')")
    out = {s: [items[n] for n in _unique(names) if n in items] for s, names in lists.items()}
    if "train" not in out:
        held = {n for s in ("val", "test") for n in lists.get(s, ())}
        out["train"] = [it for n, it in items.items() if n not in held]
        notes.append(f"no {FLICKR_SPLIT_FILES['train']}: train is every captioned image not in val/test")
    for split, frac in (("test", test_fraction), ("val", val_fraction)):
        if split not in out:
            out["train"], out[split] = _carve(out["train"], (frac,), seed)
            notes.append(f"no {FLICKR_SPLIT_FILES[split]}: carved {_pct(frac)} of train as {split}"
                         f" ({len(out[split])}) (seed {seed})")
    listed = {n for names in lists.values() for n in names}
    unlisted = sum(1 for n in items if n not in listed)
    if unlisted and "train" in lists:
        notes.append(f"{unlisted} captioned images are in no split file and are not used")
    return out


def _flickr_token(path: Path) -> tuple[dict[str, list[str]], list[str]]:
    """`<name>.jpg#<k><TAB><caption>` lines -> {name: captions}, plus names that are not images."""
    captions: dict[str, list[str]] = {}
    bad: list[str] = []
    for line in _read_text(path).splitlines():
        key, tab, text = line.strip().partition("\t")
        if not key:
            continue
        name = key.rsplit("#", 1)[0] if "#" in key else key
        if not tab or not _is_image_name(name):  # e.g. the official '...jpg.1#0' junk lines
            bad.append(key)
        elif text.strip():
            captions.setdefault(name, []).append(text.strip())
    return captions, bad


def _flickr_csv(path: Path) -> tuple[dict[str, list[str]], list[str]]:
    """Kaggle `image,caption` CSV (captions may hold commas and quotes) -> {name: captions}."""
    rows = csv.reader(_read_text(path).splitlines())
    header = [h.strip().lower() for h in next(rows, [])]
    if "image" not in header or "caption" not in header:
        raise UserError(f"'{path}' has columns {header}: expected a header line 'image,caption'"
                        f" (the Kaggle Flickr8k captions.txt)")
    i_img, i_cap = header.index("image"), header.index("caption")
    captions: dict[str, list[str]] = {}
    bad: list[str] = []
    for row in rows:
        if len(row) <= max(i_img, i_cap):
            if any(c.strip() for c in row):
                bad.append(",".join(row)[:60])
            continue
        name, text = row[i_img].strip(), row[i_cap].strip()
        if not _is_image_name(name):
            bad.append(name)
        elif text:
            captions.setdefault(name, []).append(text)
    return captions, bad


# ----------------------------------------------------------------------------- COCO


def read_coco(root, *, year=None, val_fraction=FRACTION, seed=SEED, strict=False) -> CaptionSplits:
    """annotations/captions_{train,val}<year>.json; official val becomes test, val is carved.

    year=None picks 2017 if its train annotations are there, else 2014.
    """
    holding = "annotations/captions_train2014.json (or 2017) and train2014/"
    root = _check_root(root, holding)
    _check_fractions(val_fraction=val_fraction)
    if year is not None and int(year) not in COCO_YEARS:
        raise UserError(f"data.year={year} has no COCO caption annotations: set data.year=2014 or 2017")
    years = COCO_YEARS if year is None else (int(year),)
    ann = root / "annotations"
    year = next((y for y in years if (ann / f"captions_train{y}.json").is_file()), None)
    if year is None:
        looked = ", ".join(f"annotations/captions_train{y}.json" for y in years)
        raise UserError(f"no COCO captions under '{root}' (looked for {looked}):"
                        f" set data.root=<folder holding {holding}>")
    notes: list[str] = []
    train_dir = _coco_image_dir(root, f"train{year}")
    train = _coco_items(ann / f"captions_train{year}.json", train_dir)
    val_json = ann / f"captions_val{year}.json"
    if val_json.is_file():
        test = _coco_items(val_json, _coco_image_dir(root, f"val{year}"))
        train, val = _carve(train, (val_fraction,), seed)
        notes.append(f"COCO has no public test captions: using official val{year} as test and carving"
                     f" {_pct(val_fraction)} of train{year} as val ({len(val)}) (seed {seed})")
    else:
        train, test, val = _carve(train, (val_fraction, val_fraction), seed)
        notes.append(f"no {val_json.name}: carved {_pct(val_fraction)} of train{year} as test"
                     f" ({len(test)}) and {_pct(val_fraction)} as val ({len(val)}) (seed {seed})")
    splits = {"train": train, "val": val, "test": test}
    return _finish(root, splits, notes, strict, ann / f"captions_*{year}.json", train_dir.parent)


def _coco_image_dir(root: Path, name: str) -> Path:
    found = _first_dir([root / name, root / "images" / name])
    if found is None:
        raise UserError(f"no image folder for COCO {name} under '{root}' (looked for {name}/ and"
                        f" images/{name}/): set data.root=<folder holding {name}/>")
    return found


def _coco_items(path: Path, image_dir: Path) -> list[_Listed]:
    data = _read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("images"), list) \
            or not isinstance(data.get("annotations"), list):
        raise UserError(f"'{path}' is not a COCO captions file (no 'images' and 'annotations'"
                        f" lists): use the captions_*.json from the COCO annotations archive")
    captions: dict = {}
    for a in data["annotations"]:
        text = str(a.get("caption") or "").strip()  # COCO captions carry stray spaces and '\n'
        if text:
            captions.setdefault(a.get("image_id"), []).append(text)
    return [_Listed((image_dir / im["file_name"],), tuple(captions[im["id"]]), str(im["id"]))
            for im in data["images"] if im.get("id") in captions]


# ----------------------------------------------------------------------------- Karpathy


def read_karpathy(root, json_path=None, *, strict=False) -> CaptionSplits:
    """dataset_{coco,flickr8k,flickr30k}.json with its train/restval/val/test splits.

    json_path=None finds the one dataset_*.json in root; a relative path is tried under root
    first, then against the working directory.
    """
    root = _check_root(root, "the images and dataset_coco.json / dataset_flickr8k.json")
    path = _karpathy_json(root, json_path)
    data = _read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("images"), list):
        raise UserError(f"'{path}' is not a Karpathy split file (no 'images' list):"
                        f" set data.json=<dataset_coco.json, dataset_flickr8k.json or dataset_flickr30k.json>")
    splits: dict[str, list[_Listed]] = {"train": [], "val": [], "test": []}
    counts = {"restval": 0, "unknown": 0, "uncaptioned": 0}
    for im in data["images"]:
        split = KARPATHY_SPLITS.get(im.get("split"))
        caps = tuple(c for c in (_karpathy_caption(s) for s in im.get("sentences") or ()) if c)
        if split is None or not caps or not im.get("filename"):
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
    return _finish(root, splits, notes, strict, path, root)


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


# ----------------------------------------------------------------------------- shared


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


def _check_root(root, holding: str) -> Path:
    if root in (None, ""):
        raise UserError(f"data.root is not set: set data.root=<folder holding {holding}>")
    path = Path(os.path.abspath(os.path.expanduser(str(root))))
    if not path.is_dir():
        what = "is not a folder" if path.exists() else "does not exist"
        raise UserError(f"data.root '{root}' {what}: set data.root=<folder holding {holding}>")
    return path


def _check_fractions(**fractions) -> None:
    for key, f in fractions.items():
        if not 0 <= f < 1:
            raise UserError(f"data.{key}={f} is not a fraction in [0, 1): set e.g. data.{key}=0.05")
    if sum(fractions.values()) >= 1:
        raise UserError(f"{' + '.join(f'data.{k}' for k in fractions)} must be below 1: lower them")


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
