"""Sentiment readers: labelled text in a CSV (any column names) and the IMDB folder layout.

Readers only read: they never log. Items that cannot be used (an empty review file, bytes that are
not UTF-8, an empty text or label cell) are skipped and listed in `ReviewSplits.skipped`
(`data.strict=true` makes the first one fatal); what the caller should tell the user is in `notes`.
"""
from __future__ import annotations

import csv
import io
import os
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from suite.data.checks import check_fractions, check_root
from suite.errors import UserError

FRACTION, SEED = 0.1, 0  # 10% of IMDB's 25k training reviews is a steady val accuracy; seed 0: same split
_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by surrogateescape
csv.field_size_limit(2**31 - 1)  # real reviews can be long; the default limit is 128 KiB


@dataclass(frozen=True)
class Review:
    text: str
    label: str


@dataclass
class ReviewSplits:
    train: list[Review]
    val: list[Review]
    test: list[Review]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (item name, reason)
    notes: list[str] = field(default_factory=list)


class _Skips:
    """Collects skipped items; with strict=True the first one is a UserError."""

    def __init__(self, strict: bool):
        self.strict, self.items = strict, []

    def __call__(self, name: str, reason: str) -> None:
        if self.strict:
            raise UserError(f"{name}: {reason} (data.strict=true): fix or remove it, or set data.strict=false")
        self.items.append((name, reason))


# ------------------------------------------------------------------ CSV


def check_file(path, key: str = "data.path") -> Path:
    if path in (None, ""):
        raise UserError(f"{key} is not set: set {key}=<a CSV file with a header row>")
    p = Path(os.path.abspath(os.path.expanduser(str(path))))
    if p.is_dir():
        raise UserError(f"{key} '{path}' is a folder: set {key}=<the CSV file inside it>")
    if not p.is_file():
        raise UserError(f"{key} '{path}' does not exist: set {key}=<a CSV file with a header row>")
    return p


def read_csv_file(path, text_column: str = "text", label_column: str = "label", *,
                  skip: _Skips | None = None, key: str = "data.path") -> list[Review]:
    """Rows of a CSV with a header naming `text_column` and `label_column` (other columns ignored)."""
    path, skip = check_file(path, key), skip or _Skips(False)
    raw = path.read_bytes()
    text = raw.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    if not text.strip():
        raise UserError(f"'{path}' line 1: the file is empty: give a CSV with a header row "
                        f"({text_column},{label_column}) and one labelled text a row")
    rows = csv.reader(io.StringIO(text, newline=""))  # quoted cells may hold line breaks
    header = [h.strip() for h in next(rows)]
    for column, what in ((text_column, "text"), (label_column, "label")):
        if column not in header:
            raise UserError(f"'{path}' line 1: no column '{column}' in the header ({', '.join(header)}): "
                            f"set data.{what}_column=<the {what} column's name>")
    ti, li = header.index(text_column), header.index(label_column)
    out = []
    for row in rows:
        where = f"{path.name}:{rows.line_num}"
        if not any(cell.strip() for cell in row):
            continue  # blank lines are not items
        if len(row) <= max(ti, li):
            skip(where, f"{len(row)} columns, the header has {len(header)}")
            continue
        t, lab = row[ti].strip(), row[li].strip()
        if _UNDECODABLE.search(t + lab):
            skip(where, "bytes that are not UTF-8")
        elif not t or not lab:
            skip(where, f"empty {'text' if not t else 'label'}")
        else:
            out.append(Review(t, lab))
    return out


def read_text_csv(path, *, text_column: str = "text", label_column: str = "label", val_path=None, test_path=None,
                  val_fraction: float = FRACTION, test_fraction: float = FRACTION, seed: int = SEED,
                  strict: bool = False) -> ReviewSplits:
    """Train rows from `path`; val/test from their own files, or carved from train (seeded)."""
    check_fractions(val_fraction=val_fraction if not val_path else 0.0,
                    test_fraction=test_fraction if not test_path else 0.0)
    skip = _Skips(strict)
    cols = dict(text_column=text_column, label_column=label_column, skip=skip)
    train = read_csv_file(path, **cols)
    if not train:
        raise UserError(f"no usable rows in '{path}' ({len(skip.items)} skipped, e.g. {skip.items[:1]}): "
                        f"give rows with a non-empty {text_column} and {label_column}")
    out = ReviewSplits(train, [], [], notes=[])
    carve = []
    for split, p, fraction in (("val", val_path, val_fraction), ("test", test_path, test_fraction)):
        if p:
            setattr(out, split, read_csv_file(p, **cols, key=f"data.{split}_path"))
        elif fraction > 0:
            carve.append((split, fraction))
    if carve:
        parts = carve_splits(out.train, [f for _, f in carve], seed)
        out.train = parts[0]
        for (split, fraction), part in zip(carve, parts[1:]):
            setattr(out, split, part)
            out.notes.append(f"no data.{split}_path: carved {fraction:.0%} of {Path(str(path)).name} as {split} "
                             f"({len(part)} rows, seed {seed})")
    out.skipped = skip.items
    return out


# ------------------------------------------------------------------ IMDB (aclImdb)


def _read_review(path: Path, skip: _Skips) -> str | None:
    try:
        text = path.read_bytes().decode("utf-8").strip()
    except UnicodeDecodeError as e:
        skip(str(path), f"not UTF-8 ({e.reason})")
        return None
    except OSError as e:
        skip(str(path), f"unreadable ({e.strerror})")
        return None
    if not text:
        skip(str(path), "empty file")
        return None
    return text


def _read_imdb_split(folder: Path, skip: _Skips) -> list[Review]:
    out = []
    for sub, label in (("neg", "negative"), ("pos", "positive")):
        for f in sorted((folder / sub).glob("*.txt")):
            text = _read_review(f, skip)
            if text is not None:
                out.append(Review(text, label))
    return out


def read_imdb(root, *, val_fraction: float = FRACTION, seed: int = SEED, strict: bool = False) -> ReviewSplits:
    """aclImdb: root/{train,test}/{pos,neg}/*.txt (train/unsup and the .feat files are ignored).

    IMDB has no validation split: val is carved from train (seeded), stratified by label."""
    root = check_root(root, "train/pos, train/neg (and test/pos, test/neg) with one review a .txt file")
    check_fractions(val_fraction=val_fraction)
    for sub in ("pos", "neg"):
        if not (root / "train" / sub).is_dir():
            raise UserError(f"no folder train/{sub} in '{root}': set data.root=<the aclImdb folder holding "
                            f"train/pos, train/neg, test/pos, test/neg>")
    skip = _Skips(strict)
    train = _read_imdb_split(root / "train", skip)
    if not train:
        raise UserError(f"no usable review in '{root}/train/{{pos,neg}}' ({len(skip.items)} skipped): "
                        f"set data.root=<the aclImdb folder>")
    out = ReviewSplits(train, [], [], notes=[])
    if (root / "test" / "pos").is_dir() or (root / "test" / "neg").is_dir():
        out.test = _read_imdb_split(root / "test", skip)
    else:
        out.notes.append(f"no test/pos or test/neg in '{root}': the test split is empty")
    if val_fraction > 0:
        out.train, out.val = carve_splits(train, [val_fraction], seed)
        out.notes.append(f"IMDB has no validation split: carved {val_fraction:.0%} of train as val "
                         f"({len(out.val)} reviews, seed {seed}, stratified by label)")
    out.skipped = skip.items
    return out


# ------------------------------------------------------------------ shared


def carve_splits(items: list[Review], fractions: list[float], seed: int) -> list[list[Review]]:
    """[rest, part_1, ...]: seeded parts of about `fractions` of each label's items (stratified)."""
    by_label: dict[str, list[int]] = {}
    for i, it in enumerate(items):
        by_label.setdefault(it.label, []).append(i)
    parts: list[list[int]] = [[] for _ in range(len(fractions) + 1)]
    rng = random.Random(seed)
    for label in sorted(by_label):
        idx = by_label[label]
        rng.shuffle(idx)
        start = 0
        for k, f in enumerate(fractions, start=1):
            n = min(round(f * len(idx)), max(len(idx) - start - 1, 0))  # the rest keeps one item per label
            parts[k] += idx[start:start + n]
            start += n
        parts[0] += idx[start:]
    return [[items[i] for i in sorted(p)] for p in parts]


_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)  # IMDB reviews hold HTML line breaks
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]")


def tokenize(text: str) -> list[str]:
    """Lower-cased words (with "n't"-style suffixes kept) and single punctuation marks."""
    return _TOKEN.findall(_BREAK.sub(" ", text).lower())
