"""Flickr8k reader: official Flickr8k.token.txt (+ split files) or the Kaggle captions.txt CSV."""

from __future__ import annotations

import csv
from pathlib import Path

from suite.data.checks import check_fractions, check_root
from suite.errors import UserError

from .common import (
    FRACTION,
    SEED,
    CaptionSplits,
    _carve,
    _finish,
    _first_dir,
    _first_file,
    _is_image_name,
    _Listed,
    _pct,
    _read_names,
    _read_text,
    _unique,
)

# Official archive (sic), the corrected spelling some mirrors use, and the Kaggle copy.
FLICKR_IMAGE_DIRS = ("Flicker8k_Dataset", "Flickr8k_Dataset", "Images")
FLICKR_TEXT_DIRS = ("", "Flickr8k_text")  # official zip unpacks its text files into Flickr8k_text/
FLICKR_CAPTION_FILES = ("Flickr8k.token.txt", "captions.txt")  # official first, then Kaggle CSV
FLICKR_SPLIT_FILES = {
    "train": "Flickr_8k.trainImages.txt",
    "val": "Flickr_8k.devImages.txt",
    "test": "Flickr_8k.testImages.txt",
}


def read_flickr8k(
    root, *, val_fraction=FRACTION, test_fraction=FRACTION, seed=SEED, strict=False
) -> CaptionSplits:
    """Flickr8k.token.txt or Kaggle captions.txt (+ Flickr_8k.*Images.txt if present).

    The fractions are used only for splits whose file is absent (the Kaggle copy has none).
    strict=False because partial copies are common: missing images are dropped and listed.
    """
    root = check_root(root, "Flickr8k.token.txt or captions.txt and Flicker8k_Dataset/ or Images/")
    check_fractions(val_fraction=val_fraction, test_fraction=test_fraction)
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
