"""Summarization data: (document, summary) pairs from three real layouts and one synthetic default.

  article_title  line-aligned <prefix>.article.txt / <prefix>.title.txt (the Gigaword layout), .gz too
  jsonl_pairs    JSON lines with a document key and a summary key (CNN/DailyMail, XSum, SAMSum exports)
  csv_pairs      CSV / TSV with a document column and a summary column
  synthetic_news templated news paragraphs -> headlines, written in the article_title layout

Readers only read: they return `Splits` (pairs, the (item, reason) pairs they skipped, notes for
the log) and never warn themselves. With strict=True the first bad item is a one-line error
naming its file and line.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
import random
from dataclasses import dataclass
from pathlib import Path

from suite.data.generated import build_once
from suite.data.splits import Splits
from suite.errors import UserError


@dataclass(frozen=True)
class Pair:
    document: str  # raw text, sentences separated by spaces or newlines
    summary: str   # raw text; several sentences are separated by newlines (ROUGE-Lsum splits on them)


# ------------------------------------------------------------------------------------- shared


def _read_text(path: Path) -> str:
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError) as e:
        raise UserError(f"cannot read '{path}' ({e}): check that it is a readable file or gzip archive") from e
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise UserError(f"'{path}' line {line} is not UTF-8 ({e.reason}): convert it, e.g. iconv -t utf-8") from e


def _lines(path: Path) -> list[str]:
    """Lines split on '\\n' only (documents may hold U+2028 and other breaks inside a line)."""
    lines = _read_text(path).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln.removesuffix("\r") for ln in lines]


def _bad(path: Path, line: int, what: str, strict: bool, skipped: list) -> None:
    if strict:
        raise UserError(f"'{path}' line {line}: {what} (data.strict=true): fix or remove it, or set "
                        f"data.strict=false to skip and count such items")
    skipped.append((f"{path.name} line {line}", what))


def _pair(doc, summary, path: Path, line: int, strict: bool, skipped: list) -> Pair | None:
    doc = " ".join(doc).strip() if isinstance(doc, list) else str(doc or "").strip()
    summary = "\n".join(s.strip() for s in summary) if isinstance(summary, list) else str(summary or "").strip()
    if not doc or not summary.strip():
        _bad(path, line, f"an empty {'document' if not doc else 'summary'}", strict, skipped)
        return None
    return Pair(doc, summary.strip())


def carve(pairs: list[Pair], fraction: float, seed: int) -> tuple[list[Pair], list[Pair]]:
    """(rest, part): a seeded `fraction` of the pairs as a new split, both in input order."""
    if not 0.0 < fraction < 1.0:
        raise UserError(f"data.val_fraction={fraction} must be between 0 and 1 (exclusive)")
    picked = set(random.Random(seed).sample(range(len(pairs)), max(1, round(fraction * len(pairs)))))
    if len(picked) >= len(pairs):
        return pairs, []  # a single pair: keep it for training
    return ([p for i, p in enumerate(pairs) if i not in picked], [p for i, p in enumerate(pairs) if i in picked])


def _finish(found: dict, skipped: list, notes: list, data: dict, what: str) -> Splits:
    if not found.get("train"):
        raise UserError(f"no usable training pairs in {what} ({len(skipped)} skipped): check the files and "
                        f"data keys ({', '.join(r for _, r in skipped[:2]) or 'no lines'})")
    if found.get("val") is None:
        found["train"], found["val"] = carve(found["train"], float(data["val_fraction"]), int(data["seed"]))
        notes.append(f"no val split given: carved {len(found['val'])} training pairs as val (seed {data['seed']})")
    if found.get("test") is None:
        notes.append("no test split given: the test split is empty")
    return Splits(found["train"], found["val"], found.get("test") or [], skipped=skipped, notes=notes)


# ------------------------------------------------------------------------------ article_title


def _find(root: Path, prefix: str, suffix: str) -> Path | None:
    return next((p for p in (root / f"{prefix}{suffix}", root / f"{prefix}{suffix}.gz") if p.is_file()), None)


def read_article_title(data: dict) -> Splits:
    """root/<prefix><article_suffix> and root/<prefix><title_suffix> (or .gz): line i of both is pair i."""
    if not data.get("root"):
        raise UserError("data.root is not set: set data.root=<folder holding train.article.txt and train.title.txt>")
    root = Path(str(data["root"])).expanduser()
    if not root.is_dir():
        raise UserError(f"data.root '{root}' is not a folder: set data.root=<folder holding train.article.txt>")
    a_suf, t_suf, strict = data["article_suffix"], data["title_suffix"], bool(data.get("strict", False))
    found, skipped, notes = {}, [], []
    for split in ("train", "val", "test"):
        prefix = data[f"{split}_prefix"]
        article, title = (_find(root, prefix, a_suf), _find(root, prefix, t_suf)) if prefix else (None, None)
        if article is None or title is None:
            if split == "train":
                raise UserError(f"no {prefix}{a_suf} and {prefix}{t_suf} (or .gz) in '{root}': set data.root=<folder "
                                f"holding them> or data.train_prefix / data.article_suffix / data.title_suffix")
            continue
        docs, sums = _lines(article), _lines(title)
        if len(docs) != len(sums):
            raise UserError(f"{article.name} has {len(docs)} lines but {title.name} has {len(sums)}: the files must be "
                            f"line-aligned (one document and its summary per line)")
        found[split] = [p for i, (d, s) in enumerate(zip(docs, sums))
                        if (p := _pair(d, s, article if not d.strip() else title, i + 1, strict, skipped))]
    return _finish(found, skipped, notes, data, f"'{root}'")


# -------------------------------------------------------------------------------- jsonl_pairs


def _path(data: dict, split: str) -> Path | None:
    value = data.get(split)
    if not value or value == "???":
        if split == "train":
            raise UserError(f"data.train is not set: set data.train=<file> (data={data['name']})")
        return None
    path = Path(str(value)).expanduser()
    if not path.is_file():
        raise UserError(f"data.{split} '{path}' does not exist: set data.{split}=<a {data['name']} file>")
    return path


def read_jsonl_pairs(data: dict) -> Splits:
    """One JSON object a line with data.document_key and data.summary_key (a list of summary
    sentences, as CNN/DailyMail highlights come, is joined with newlines)."""
    dkey, skey, strict = data["document_key"], data["summary_key"], bool(data.get("strict", False))
    found, skipped, notes = {}, [], []
    for split in ("train", "val", "test"):
        path = _path(data, split)
        if path is None:
            continue
        pairs = []
        for i, line in enumerate(_lines(path), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                _bad(path, i, f"not JSON ({e.msg})", strict, skipped)
                continue
            missing = [k for k in (dkey, skey) if not isinstance(row, dict) or k not in row]
            if missing:
                keys = ", ".join(row) if isinstance(row, dict) else type(row).__name__
                _bad(path, i, f"no key '{missing[0]}' (keys: {keys}; set data.document_key / data.summary_key)",
                     strict, skipped)
                continue
            if pair := _pair(row[dkey], row[skey], path, i, strict, skipped):
                pairs.append(pair)
        found[split] = pairs
    return _finish(found, skipped, notes, data, data["train"])


# ---------------------------------------------------------------------------------- csv_pairs


def read_csv_pairs(data: dict) -> Splits:
    """CSV (or TSV: a .tsv file or data.delimiter='\\t') with a header naming the two columns."""
    dcol, scol, strict = data["document_column"], data["summary_column"], bool(data.get("strict", False))
    found, skipped, notes = {}, [], []
    for split in ("train", "val", "test"):
        path = _path(data, split)
        if path is None:
            continue
        delimiter = data.get("delimiter") or ("\t" if path.suffix in (".tsv", ".tab") else ",")
        reader = csv.DictReader(io.StringIO(_read_text(path), newline=""), delimiter=delimiter)
        columns = reader.fieldnames or []
        for col in (dcol, scol):
            if col not in columns:
                raise UserError(f"'{path}' has no column '{col}' (columns: {', '.join(columns) or 'none'}): set "
                                f"data.document_column / data.summary_column")
        found[split] = [p for row in reader
                        if (p := _pair(row[dcol], row[scol], path, reader.line_num, strict, skipped))]
    return _finish(found, skipped, notes, data, data["train"])


# ----------------------------------------------------------------------------- synthetic_news

GENERATOR_VERSION = 2
MARKER = "entities.json"
_SYL = ("ka", "vor", "lin", "dra", "mes", "tu", "bel", "qui", "zan", "ro", "fen", "sol", "ith", "mar", "gal", "por")
_KINDS = ("Holdings", "Group", "Motors", "Bank", "Labs", "Foods", "Energy", "Airways")
_ACTIONS = {  # canonical headline verb -> ways the article says it
    "buys": ("bought", "acquired", "purchased", "agreed to buy"),
    "sells": ("sold", "offloaded", "agreed to sell", "disposed of"),
    "cuts": ("cut", "eliminated", "axed", "shed"),
    "adds": ("added", "created", "hired", "took on"),
}
_OBJECTS = {"buys": ("tonnes of copper", "shares of a rival", "delivery vans"),
            "sells": ("tonnes of copper", "shares of a rival", "delivery vans"),
            "cuts": ("jobs", "routes", "stores"), "adds": ("jobs", "routes", "stores")}
_PLACES = ("Ostrava", "Leeds", "Porto", "Dayton", "Kobe", "Tartu", "Gdansk", "Lyon", "Perth", "Quito")
_DAYS = ("on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "last week")
_DISTRACTORS = (
    "Analysts had expected a smaller move .", "The shares rose in early trading .",
    "The company did not comment further .", "Rivals are watching the market closely .",
    "Unions said they would study the plan .", "The figure was higher than last year .",
    "Investors welcomed the news .", "Trading was quiet across the sector .",
)
_OPENERS = ("In a busy week for the sector ,", "According to a statement ,", "Officials said that", "")


def _names(rng: random.Random, n: int) -> list[str]:
    """n names "<Word> <Kind>", no two sharing a word (so a held-out name shares no token with train's
    but the kind, a common word)."""
    words: set[str] = set()
    while len(words) < n:
        words.add("".join(rng.choice(_SYL) for _ in range(rng.randint(2, 3))).capitalize())
    return [f"{w} {rng.choice(_KINDS)}" for w in sorted(words)]


def _pools(seed: int) -> dict:
    """Entities and numbers; val/test draw from pools disjoint from train's, so only copying gets them.
    Training names recur ~3 times in 6000 articles and numbers less than once: like rare words in
    real text, many fall outside the vocabulary in training too, which is where the pointer learns."""
    rng = random.Random(f"pools/{seed}")
    names = _names(rng, 2400)
    rng.shuffle(names)
    numbers = [str(n) for n in range(100, 10000)]
    rng.shuffle(numbers)
    return {"train": (names[:2000], numbers[:9000]), "heldout": (names[2000:], numbers[9000:])}


def news_pair(rng: random.Random, entities: list[str], numbers: list[str]) -> tuple[str, str]:
    """One article (entity, action, quantity, place, 1-3 distractor sentences) and its headline."""
    entity, verb = rng.choice(entities), rng.choice(tuple(_ACTIONS))
    said, obj, number = rng.choice(_ACTIONS[verb]), rng.choice(_OBJECTS[verb]), rng.choice(numbers)
    place, day, opener = rng.choice(_PLACES), rng.choice(_DAYS), rng.choice(_OPENERS)
    main = f"{opener} {entity} {said} {number} {obj} in {place} {day} ." if rng.random() < 0.5 else \
        f"{opener} {day if opener else day[0].upper() + day[1:]} , {entity} {said} {number} {obj} in {place} ."
    main = main.strip()
    main = main[0].upper() + main[1:]
    distractors = rng.sample(_DISTRACTORS, rng.randint(1, 3))
    before = rng.randint(0, len(distractors) - 1) if rng.random() < 0.3 else 0  # sometimes the news is not first
    sentences = [*distractors[:before], main, *distractors[before:]]
    return " ".join(sentences), f"{entity} {verb} {number} {obj}"


def _write_news(out: Path, params: dict) -> None:
    pools = _pools(params["seed"])
    for split in ("train", "val", "test"):
        rng = random.Random(f"{params['seed']}/{split}")
        entities, numbers = pools["train" if split == "train" else "heldout"]
        pairs = [news_pair(rng, entities, numbers) for _ in range(params[f"n_{split}"])]
        (out / f"{split}.article.txt").write_text("".join(d + "\n" for d, _ in pairs), encoding="utf-8")
        (out / f"{split}.title.txt").write_text("".join(s + "\n" for _, s in pairs), encoding="utf-8")
    (out / MARKER).write_text(json.dumps({"train": pools["train"][0], "heldout": pools["heldout"][0]}) + "\n")


def generate_news(root, *, n_train: int, n_val: int, n_test: int, seed: int) -> Path:
    """Write root/{train,val,test}.{article,title}.txt once (cached, atomic) and return root."""
    params = {"n_train": n_train, "n_val": n_val, "n_test": n_test, "seed": seed, "version": GENERATOR_VERSION}
    if n_train < 1 or min(n_val, n_test, seed) < 0:
        raise UserError(f"synthetic_news needs data.n_train >= 1 and n_val / n_test / seed >= 0; got {params}")
    return build_once(root, params, lambda out: _write_news(out, params), marker=MARKER)
