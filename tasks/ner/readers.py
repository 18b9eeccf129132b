"""CoNLL readers for NER: token ... tag a line, blank lines between sentences, -DOCSTART- lines anywhere.

Files may have 4 columns (CoNLL-2003: token POS chunk tag) or 2 (token tag), any whitespace between
them; the first column is the token, the last the tag. Tags in IOB1, IOB2 or IOBES are converted
to IOB2, the scheme seqeval scores. A line whose column count differs from the file's first token
line, or a tag that is not O / B- I- E- S-<type>, is an error naming the file and line; a sentence
with bytes that are not UTF-8 is skipped and counted (`data.strict=true`: an error).
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from suite.data.checks import check_fractions, check_root
from suite.errors import UserError

FRACTION, SEED = 0.1, 0  # carve 10% of train as val when a dataset ships none; seed 0: same split
# candidate file names per split, first found wins: CoNLL-2003 originals, then the common re-packagings
CANDIDATES = {
    "train": ("eng.train", "train.txt", "train", "train.conll"),
    "val": ("eng.testa", "valid.txt", "dev.txt", "val.txt", "valid", "dev", "valid.conll", "dev.conll"),
    "test": ("eng.testb", "test.txt", "test", "test.conll"),
}
_TAG = re.compile(r"^(?:O|[BIES]-\S+)$")
_UNDECODABLE = re.compile("[\udc80-\udcff]")


@dataclass
class Sentence:
    tokens: list[str]
    tags: list[str]  # IOB2


@dataclass
class NerSplits:
    train: list[Sentence]
    val: list[Sentence]
    test: list[Sentence]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file:line, reason)
    notes: list[str] = field(default_factory=list)
    schemes: dict[str, str] = field(default_factory=dict)  # file name -> scheme found


def detect_scheme(sentences: list[list[str]]) -> str:
    """iobes when S-/E- occur; iob1 when an entity starts with I- (CoNLL-2003); else iob2."""
    flat = [t for tags in sentences for t in tags]
    if any(t[:2] in ("S-", "E-") for t in flat):
        return "iobes"
    for tags in sentences:
        for k, t in enumerate(tags):
            if t.startswith("I-") and (k == 0 or tags[k - 1] == "O" or tags[k - 1][2:] != t[2:]):
                return "iob1"
    return "iob2"


def to_iob2(tags: list[str]) -> list[str]:
    """IOB1 / IOB2 / IOBES -> IOB2: S- is B-, E- is I-, and an I- that continues no entity of
    its type starts one (B-)."""
    out: list[str] = []
    for t in tags:
        if t[:2] == "S-":
            t = "B-" + t[2:]
        elif t[:2] == "E-":
            t = "I-" + t[2:]
        if t.startswith("I-") and (not out or out[-1] == "O" or out[-1][2:] != t[2:]):
            t = "B-" + t[2:]
        out.append(t)
    return out


def read_conll_file(path: Path, *, strict: bool = False, skipped: list | None = None) -> tuple[list[Sentence], str]:
    """(sentences in IOB2, scheme found) of one CoNLL file."""
    skipped = skipped if skipped is not None else []
    text = path.read_bytes().decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    if not text.strip():
        raise UserError(f"'{path}' line 1: the file is empty: give a CoNLL file (token ... tag a line, "
                        f"blank lines between sentences)")
    raw: list[tuple[list[str], list[str], int, bool]] = []  # tokens, tags, first line, has bad bytes
    tokens, tags, start, bad = [], [], 0, False
    columns, first_line = 0, 0

    def close():
        nonlocal tokens, tags, bad
        if tokens:
            raw.append((tokens, tags, start, bad))
        tokens, tags, bad = [], [], False

    for n, line in enumerate(text.split("\n"), start=1):
        cols = line.split()
        if not cols or cols[0] == "-DOCSTART-":
            close()  # a document boundary also ends a sentence
            continue
        if not columns:
            if len(cols) < 2:
                raise UserError(f"'{path}' line {n}: 1 column ({line.strip()!r}); CoNLL lines need a token and a "
                                f"tag (4 columns as CoNLL-2003 or 2): fix the line or point data.root elsewhere")
            columns, first_line = len(cols), n
        if len(cols) != columns:
            raise UserError(f"'{path}' line {n}: {len(cols)} columns ({line.strip()[:60]!r}), but line "
                            f"{first_line} has {columns}: every token line needs the same columns; fix the line")
        tag = cols[-1]
        if not _TAG.match(tag):
            raise UserError(f"'{path}' line {n}: tag {tag!r} is not O or B-/I-/E-/S-<type>: the tag must be the "
                            f"last column, in IOB1, IOB2 or IOBES")
        if not tokens:
            start = n
        tokens.append(cols[0])
        tags.append(tag)
        bad = bad or bool(_UNDECODABLE.search(line))
    close()
    scheme = detect_scheme([t for _, t, _, _ in raw])
    out = []
    for toks, tgs, line_no, has_bad in raw:
        if has_bad:
            if strict:
                raise UserError(f"'{path}' line {line_no}: bytes that are not UTF-8 (data.strict=true): convert "
                                f"the file to UTF-8, e.g. iconv -f latin1 -t utf-8")
            skipped.append((f"{path.name}:{line_no}", "bytes that are not UTF-8"))
            continue
        out.append(Sentence(toks, to_iob2(tgs)))
    return out, scheme


def _find(root: Path, split: str) -> Path | None:
    return next((root / name for name in CANDIDATES[split] if (root / name).is_file()), None)


def read_conll(root, *, val_fraction: float = FRACTION, seed: int = SEED, strict: bool = False) -> NerSplits:
    """root/{eng.train,eng.testa,eng.testb} or {train,valid|dev,test}.txt; no val file: carve from train."""
    root = check_root(root, "eng.train / eng.testa / eng.testb or train.txt / valid.txt / test.txt")
    check_fractions(val_fraction=val_fraction)
    out = NerSplits([], [], [], notes=[])
    for split in ("train", "val", "test"):
        path = _find(root, split)
        if path is None:
            if split == "train":
                raise UserError(f"no training file in '{root}' (looked for {', '.join(CANDIDATES['train'])}): set "
                                f"data.root=<folder holding the CoNLL files>")
            if split == "val" and val_fraction > 0:
                out.train, out.val = carve(out.train, val_fraction, seed)
                out.notes.append(f"no validation file in '{root}': carved {val_fraction:.0%} of train as val "
                                 f"({len(out.val)} sentences, seed {seed})")
            elif split == "test":
                out.notes.append(f"no test file in '{root}' ({', '.join(CANDIDATES['test'])}): the test split is empty")
            continue
        sentences, scheme = read_conll_file(path, strict=strict, skipped=out.skipped)
        out.schemes[path.name] = scheme
        setattr(out, split, sentences)
        if split == "train" and not sentences:
            raise UserError(f"no usable sentence in '{path}': give a CoNLL file with token ... tag lines")
    out.notes.append("tag schemes: " + ", ".join(f"{k} {v}" for k, v in out.schemes.items()) + " (read as IOB2)")
    return out


def carve(sentences: list[Sentence], fraction: float, seed: int) -> tuple[list[Sentence], list[Sentence]]:
    """(rest, val): a seeded `fraction` of the sentences as val, both in file order."""
    idx = list(range(len(sentences)))
    random.Random(seed).shuffle(idx)
    n = min(max(1, round(fraction * len(idx))), len(idx) - 1)
    val = set(idx[:n])
    return ([s for i, s in enumerate(sentences) if i not in val], [s for i, s in enumerate(sentences) if i in val])
