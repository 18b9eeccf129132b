"""Translation readers: line-aligned parallel files (Multi30k style) and TSV pairs (Tatoeba, Anki).

Readers only read: they never log or warn. Anything the caller should tell the user is in
`PairSplits.notes` (sentences); pairs dropped for an empty side are counted in `skipped_empty`
(`strict=True`: the first one is an error naming the file and line).
"""

from __future__ import annotations

import bz2
import gzip
import os
import random
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from suite.data.checks import check_fractions, check_root
from suite.errors import UserError

# 5% of Multi30k's 29k training pairs is ~1450 sentences (a steady BLEU) and costs train little;
# seed 0 gives every run the same split.
FRACTION, SEED = 0.05, 0
BOM = b"\xef\xbb\xbf"  # files re-saved by Windows editors start with it


@dataclass(frozen=True)
class Pair:
    src: str  # raw source sentence (stripped)
    tgt: str  # raw target sentence (stripped)


@dataclass
class PairSplits:
    train: list[Pair]
    val: list[Pair]
    test: list[Pair]
    skipped_empty: int = 0  # pairs dropped because one side was empty (TSV: or a column missing)
    notes: list[str] = field(default_factory=list)  # sentences for the caller to log


# ------------------------------------------------------------------ parallel (Multi30k style)


def read_parallel(root, src: str, tgt: str, *, train: str = "train", val: str = "val", test: str = "test",
                  val_fraction: float = FRACTION, seed: int = SEED, strict: bool = False) -> PairSplits:
    """`root/<prefix>.<lang>` (or `.gz`) line-aligned files; line i of both sides is pair i.

    No val files: val is carved from train (seeded). No test files: the test split is empty.
    """
    root = check_root(root, f"{train}.<src> and {train}.<tgt>")
    src, tgt = _check_langs(root, train, src, tgt)
    check_fractions(val_fraction=val_fraction)
    out = PairSplits([], [], [], notes=[])
    for split, prefix in (("train", train), ("val", val), ("test", test)):
        paths = (_find(root, prefix, src), _find(root, prefix, tgt)) if prefix else (None, None)
        if None not in paths:
            pairs, skipped, first = _align(*paths, strict=strict)
            setattr(out, split, pairs)
            out.skipped_empty += skipped
            if skipped:
                out.notes.append(f"skipped {skipped} of {skipped + len(pairs)} lines of {paths[0].name}/"
                                 f"{paths[1].name} with an empty side (first: line {first})")
            if split == "train" and not pairs:
                raise UserError(f"no usable sentence pairs in {paths[0].name}/{paths[1].name} in '{root}'"
                                f" ({skipped} lines, all with an empty side): set data.root=<folder holding"
                                f" non-empty {train}.{src} and {train}.{tgt}>")
        elif split == "train":
            _missing_train(root, train, src, tgt)
        else:
            absent = " or ".join(f"{prefix}.{lang}" for lang, p in zip((src, tgt), paths) if p is None)
            why = f"no {absent} in '{root}'" if prefix else f"data.{split}_prefix is empty"
            if split == "val":
                out.train, out.val = _carve(out.train, (val_fraction,), seed)
                out.notes.append(f"{why}: carved {_pct(val_fraction)} of train as val ({len(out.val)} pairs,"
                                 f" seed {seed}; pairs sharing a source sentence stay together)")
            else:
                out.notes.append(f"{why}: the test split is empty (set data.test_prefix=<prefix> if the"
                                 f" test files are named e.g. test_2016_flickr.{src})")
    return out


def _check_langs(root: Path, train: str, src, tgt) -> tuple[str, str]:
    found = _langs(root, train)
    listed = f" (found in '{root}': {', '.join(found)})" if found else ""
    for key, lang in (("src", src), ("tgt", tgt)):
        if lang in (None, ""):
            raise UserError(f"data.{key} is not set: set data.{key}=<language suffix of the files>{listed}")
    if str(src) == str(tgt):
        raise UserError(f"data.src and data.tgt are both '{src}': set two different languages{listed}")
    return str(src), str(tgt)


def _missing_train(root: Path, train: str, src: str, tgt: str):
    found = _langs(root, train)
    if found:  # the split is there, a language is not
        absent = [(key, lang) for key, lang in (("src", src), ("tgt", tgt)) if _find(root, train, lang) is None]
        raise UserError(f"no {' or '.join(f'{train}.{lang}' for _, lang in absent)} in '{root}': languages"
                        f" found: {', '.join(found)}; set {' and '.join(f'data.{k}=' for k, _ in absent)}"
                        f" to {'one' if len(absent) == 1 else 'two'} of them")
    prefixes = _prefixes(root, src)
    hint = f" (files ending in .{src} there: {', '.join(prefixes[:5])})" if prefixes else ""
    raise UserError(f"no {train}.{src} and {train}.{tgt} (or .gz) in '{root}'{hint}: set data.root=<folder"
                    f" holding them>, or data.train_prefix=<prefix> if they are named <prefix>.{src}")


def _find(root: Path, prefix: str, lang: str) -> Path | None:
    """root/<prefix>.<lang>, else its gzipped copy (Multi30k ships train.en.gz)."""
    return next((p for p in (root / f"{prefix}.{lang}", root / f"{prefix}.{lang}.gz") if p.is_file()), None)


def _langs(root: Path, prefix: str) -> list[str]:
    """Language suffixes of the files named <prefix>.<lang>[.gz] in root."""
    names = (name.removesuffix(".gz") for name in os.listdir(root) if name.startswith(prefix + "."))
    tails = (name[len(prefix) + 1:] for name in names)
    return sorted({t for t in tails if t and "." not in t})


def _prefixes(root: Path, lang: str) -> list[str]:
    bases = (name.removesuffix(".gz") for name in os.listdir(root))
    return sorted({b[: -len(lang) - 1] for b in bases if b.endswith("." + lang) and len(b) > len(lang) + 1})


def _align(src_path: Path, tgt_path: Path, strict: bool = False) -> tuple[list[Pair], int, int]:
    """(pairs, lines skipped for an empty side, first skipped line number or 0)."""
    src_lines, tgt_lines = _read_lines(src_path), _read_lines(tgt_path)
    if len(src_lines) != len(tgt_lines):
        raise UserError(f"{src_path.name} has {len(src_lines)} lines but {tgt_path.name} has {len(tgt_lines)}:"
                        f" the files must be line-aligned (one sentence per line)")
    pairs, skipped, first = [], 0, 0
    for i, (s, t) in enumerate(zip(src_lines, tgt_lines)):
        s, t = s.strip(), t.strip()
        if s and t:
            pairs.append(Pair(s, t))
        elif strict:
            _strict_error(src_path if not s else tgt_path, i + 1, "an empty sentence")
        else:
            skipped, first = skipped + 1, first or i + 1
    return pairs, skipped, first


def _strict_error(path: Path, line: int, what: str):
    raise UserError(f"'{path}' line {line}: {what} (data.strict=true): fix or remove the line, or set"
                    f" data.strict=false to skip and count such lines")


# ------------------------------------------------------------------ TSV pairs (Tatoeba, Anki)


def read_tsv_pairs(path, *, val_fraction: float = FRACTION, test_fraction: float = FRACTION,
                   seed: int = SEED, strict: bool = False) -> PairSplits:
    """`src<TAB>tgt[<TAB>...]` a line (extra columns, e.g. Anki's attribution, are ignored).

    The file has no splits: test and val are carved (seeded), keeping each source sentence's
    translations together. The tatoeba.org download layout `id<TAB>src<TAB>id<TAB>tgt` is detected.
    """
    path = _check_file(path)
    check_fractions(val_fraction=val_fraction, test_fraction=test_fraction)
    lines = _read_lines(path)
    rows = [line.split("\t") for line in lines]  # not csv: quotes in Tatoeba/Anki text are not CSV quoting
    notes: list[str] = []
    cols = (1, 3) if _tatoeba_ids(rows) else (0, 1)
    if cols != (0, 1):
        notes.append(f"{path.name} has the tatoeba.org layout id<TAB>text<TAB>id<TAB>text: using columns 2 and 4")
    pairs, short, empty = [], [], []
    for i, row in enumerate(rows, start=1):
        if len(row) <= cols[1]:
            if strict:
                _strict_error(path, i, f"fewer than {cols[1] + 1} tab-separated columns")
            short.append(i)
            continue
        s, t = row[cols[0]].strip(), row[cols[1]].strip()
        if s and t:
            pairs.append(Pair(s, t))
        elif strict:
            _strict_error(path, i, "an empty source or target")
        else:
            empty.append(i)
    if short:
        notes.append(f"skipped {len(short)} lines of {path.name} with fewer than {cols[1] + 1} tab-separated"
                     f" columns (first: line {short[0]})")
    if empty:
        notes.append(f"skipped {len(empty)} pairs of {path.name} with an empty side (first: line {empty[0]})")
    if not pairs:
        raise UserError(f"no usable pairs in '{path}': none of its {len(lines)} lines is source<TAB>target:"
                        f" set data.path=<a tab-separated file, e.g. a Tatoeba or Anki export>")
    train, test, val = _carve(pairs, (test_fraction, val_fraction), seed)
    notes.append(f"{path.name} has no splits: carved {_pct(test_fraction)} of pairs as test ({len(test)}) and"
                 f" {_pct(val_fraction)} as val ({len(val)}) (seed {seed}); all translations of one source"
                 f" sentence share a split")
    return PairSplits(train, val, test, skipped_empty=len(short) + len(empty), notes=notes)


def _tatoeba_ids(rows: list[list[str]]) -> bool:
    """Every row with text has four columns, the first and third numeric sentence ids."""
    full = [r for r in rows if len(r) >= 2]
    return bool(full) and all(len(r) >= 4 and r[0].strip().isdigit() and r[2].strip().isdigit() for r in full)


def _check_file(path) -> Path:
    fix = "set data.path=<a src<TAB>tgt file, e.g. a Tatoeba or Anki export>"
    if path in (None, ""):
        raise UserError(f"data.path is not set: {fix}")
    p = Path(os.path.abspath(os.path.expanduser(str(path))))
    if p.is_dir():
        inside = sorted(f.name for f in p.iterdir() if f.suffix in (".tsv", ".txt"))[:3]
        raise UserError(f"data.path '{path}' is a folder: set data.path=<the file inside it>"
                        + (f", e.g. {', '.join(inside)}" if inside else ""))
    if not p.is_file():
        raise UserError(f"data.path '{path}' does not exist: {fix}")
    if p.suffix == ".zip":  # manythings.org ships Anki pairs as fra-eng.zip holding fra.txt
        raise UserError(f"data.path '{path}' is a zip archive: unzip it and set data.path=<the .txt inside>")
    return p


# ------------------------------------------------------------------ shared


def _read_lines(path: Path) -> list[str]:
    """UTF-8 lines split on '\\n' only: str.splitlines also splits on U+2028, U+0085, form feeds ...
    that real corpora hold inside sentences, which would break the line alignment."""
    data = _read_bytes(path).removeprefix(BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise UserError(f"'{path}' line {line} is not UTF-8 ({e.reason}): convert the file to UTF-8,"
                        f" e.g. iconv -f latin1 -t utf-8") from e
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()  # the final newline ends the last line, it does not start another
    return [line.removesuffix("\r") for line in lines]


def _read_bytes(path: Path) -> bytes:
    opener = {".gz": gzip.open, ".bz2": bz2.open}.get(path.suffix, open)
    try:
        with opener(path, "rb") as f:
            return f.read()
    except (OSError, EOFError, zlib.error, ValueError) as e:  # what corrupt gzip / bz2 streams raise
        if opener is open or isinstance(e, PermissionError):
            raise UserError(f"cannot read '{path}' ({e}): check that it is a readable file") from e
        raise UserError(f"'{path}' is not a readable {path.suffix[1:]} archive ({e}): re-download it") from e


def _carve(pairs: list[Pair], fractions, seed: int) -> list[list[Pair]]:
    """[rest, part_1, ...]: seeded parts of about `fractions` of the pairs, each in input order.

    All pairs with the same source text go to the same part (Tatoeba translates many sentences
    several times): a val/test source is then never seen in train, so scores measure translating
    new sentences, not recalling a memorised one. A part may overshoot its share by one group.
    """
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(pairs):
        groups.setdefault(p.src, []).append(i)
    keys = sorted(groups)  # the split does not depend on the file's order
    random.Random(seed).shuffle(keys)
    parts, k = [], 0
    for f in fractions:
        want, taken = (max(1, round(f * len(pairs))) if f > 0 else 0), []
        while len(taken) < want and k < len(keys) - 1:  # the rest keeps at least one group
            taken += groups[keys[k]]
            k += 1
        parts.append(taken)
    rest = [i for key in keys[k:] for i in groups[key]]
    return [[pairs[i] for i in sorted(idx)] for idx in (rest, *parts)]


def _pct(f: float) -> str:
    return f"{f * 100:g}%"
