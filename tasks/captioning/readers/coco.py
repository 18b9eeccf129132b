"""COCO captions reader: annotations/captions_{train,val}<year>.json and their image folders."""

from __future__ import annotations

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
    _Listed,
    _pct,
    _read_json,
)

COCO_YEARS = (2017, 2014)  # the only releases with caption annotations; newest preferred


def read_coco(root, *, year=None, val_fraction=FRACTION, seed=SEED, strict=False) -> CaptionSplits:
    """annotations/captions_{train,val}<year>.json; official val becomes test, val is carved.

    year=None picks 2017 if its train annotations are there, else 2014.
    """
    holding = "annotations/captions_train2014.json (or 2017) and train2014/"
    root = check_root(root, holding)
    check_fractions(val_fraction=val_fraction)
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
    train, unusable = _coco_items(ann / f"captions_train{year}.json", train_dir, notes, strict)
    val_json = ann / f"captions_val{year}.json"
    if val_json.is_file():
        test, more = _coco_items(val_json, _coco_image_dir(root, f"val{year}"), notes, strict)
        unusable += more
        train, val = _carve(train, (val_fraction,), seed)
        notes.append(f"COCO has no public test captions: using official val{year} as test and carving"
                     f" {_pct(val_fraction)} of train{year} as val ({len(val)}) (seed {seed})")
    else:
        train, test, val = _carve(train, (val_fraction, val_fraction), seed)
        notes.append(f"no {val_json.name}: carved {_pct(val_fraction)} of train{year} as test"
                     f" ({len(test)}) and {_pct(val_fraction)} as val ({len(val)}) (seed {seed})")
    splits = {"train": train, "val": val, "test": test}
    out = _finish(root, splits, notes, strict, ann / f"captions_*{year}.json", train_dir.parent)
    out.unusable = unusable
    return out


def _coco_image_dir(root: Path, name: str) -> Path:
    found = _first_dir([root / name, root / "images" / name])
    if found is None:
        raise UserError(f"no image folder for COCO {name} under '{root}' (looked for {name}/ and"
                        f" images/{name}/): set data.root=<folder holding {name}/>")
    return found


def _coco_items(path: Path, image_dir: Path, notes: list[str], strict: bool) -> tuple[list[_Listed], int]:
    """The captioned images of one COCO captions file, and how many entries it drops (said in `notes`)."""
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
    images = [im for im in data["images"] if isinstance(im, dict) and im.get("file_name")]
    known = {im.get("id") for im in images}
    orphan_ids = [i for i in captions if i not in known]  # captions of no listed image
    orphans = sum(len(captions[i]) for i in orphan_ids)
    bare = [im for im in images if im.get("id") not in captions]  # images without a caption
    dropped = len(data["images"]) - len(images)  # entries without a file name
    if strict and (orphans or bare or dropped):
        what = (f"{orphans} captions whose image_id is not in 'images' (e.g. image_id {orphan_ids[0]})" if orphans else
                f"image {bare[0].get('file_name')!r} has no caption" if bare else
                f"{dropped} 'images' entries have no file_name")
        raise UserError(f"'{path}': {what}: fix the file, or set data.strict=false to skip them")
    for count, note in ((orphans, "captions whose image_id is not in its 'images'"),
                        (len(bare), "images without a caption"), (dropped, "'images' entries without a file_name")):
        if count:
            notes.append(f"{path.name}: skipped {count} {note}")
    items = [_Listed((image_dir / im["file_name"],), tuple(captions[im["id"]]), str(im["id"]))
             for im in images if im.get("id") in captions]
    return items, len(bare) + dropped  # images; orphan captions are no image (their count is in the notes)
