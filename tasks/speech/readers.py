"""Speech readers: `audio_manifest` JSON lines and the LibriSpeech folder layout.

Readers only read: they never log. Each returns `suite.data.splits.Splits` whose `notes` are
sentences for the caller to log; files listed but absent, unreadable ones and bad lines are in
`skipped` as (file or manifest:line, why).
Durations come from the manifest's optional "duration" field, else from the file header, so
batches can be bucketed by length before any audio is decoded; the header also gives the sample
rate, so `resampling_note` can say once which files will be resampled to the model's rate.
"""
from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from suite.data.audio import AudioError, audio_header
from suite.data.checks import check_fractions, check_root
from suite.data.splits import Splits
from suite.errors import UserError

MISSING = "no such file (listed in the dataset)"


@dataclass(frozen=True)
class Utterance:
    audio: str  # absolute path
    text: str  # the transcript as written
    duration: float  # seconds
    rate: int | None = None  # samples a second from the header; None: duration given, header not read


def _utterance(path: Path, text: str, duration, out: Splits, strict: bool) -> Utterance | None:
    """An Utterance, or None after recording why the item is unusable (fatal when strict)."""
    if not path.exists():
        if strict:
            raise AudioError(path, MISSING, "fix the list or set data.strict=false")
        out.skipped.append((str(path), MISSING))
        return None
    rate = None
    try:
        if duration is None:
            duration, rate = audio_header(path)
        elif not isinstance(duration, (int, float)) or duration <= 0:
            raise AudioError(path, f"its duration {duration!r} is not a positive number of seconds")
    except AudioError as e:
        if strict:
            raise
        out.skipped.append((str(path), e.reason or str(e)))
        return None
    return Utterance(str(path), text, float(duration), rate)


# ------------------------------------------------------------------ audio_manifest (JSON lines)


def read_manifest_file(path, out: Splits, strict: bool = False) -> list[Utterance]:
    """`{"audio": path, "text": transcript[, "duration": seconds]}` a line; paths relative to the manifest."""
    path = Path(str(path)).expanduser().absolute()
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise UserError(f"manifest '{path}' {what}: point data.train/val/test at JSON-lines files "
                        '({"audio": path, "text": transcript} a line)')
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError as e:
        raise UserError(f"manifest '{path}' is not UTF-8 ({e.reason}): convert it to UTF-8") from e
    utts = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            row = json.loads(line)
            audio, text = row["audio"], row["text"]
            if not isinstance(audio, str) or not isinstance(text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            if strict:
                raise UserError(f"{where} is not a JSON object with string \"audio\" and \"text\": fix the line")
            out.skipped.append((where, 'not a JSON object with string "audio" and "text"'))
            continue
        if not text.strip():
            if strict:
                raise UserError(f"{where} has an empty \"text\": give its transcript, or set data.strict=false to skip it")
            out.skipped.append((where, "empty transcript"))
            continue
        audio_path = Path(audio).expanduser()
        audio_path = audio_path if audio_path.is_absolute() else path.parent / audio_path
        utt = _utterance(audio_path, text, row.get("duration"), out, strict)
        if utt:
            utts.append(utt)
    return utts


def read_manifests(train, val=None, test=None, *, val_fraction: float = 0.05, seed: int = 0,
                   strict: bool = False) -> Splits:
    if train in (None, ""):
        raise UserError('data.train is not set: set data.train=<JSON-lines manifest, {"audio": ..., "text": ...} a line>')
    out = Splits(train=[])
    out.train = read_manifest_file(train, out, strict)
    if val:
        out.val = read_manifest_file(val, out, strict)
    if test:
        out.test = read_manifest_file(test, out, strict)
    _check_train(out, f"manifest '{train}'")
    if not val:
        _carve(out, val_fraction, seed, "data.val is not set")
    return out


# ------------------------------------------------------------------ LibriSpeech


def _librispeech_root(root) -> Path:
    root = check_root(root, "LibriSpeech sets such as train-clean-100/ and dev-clean/")
    inner = root / "LibriSpeech"  # the tarballs unpack into LibriSpeech/<set>/
    return inner if inner.is_dir() else root


def read_librispeech_set(root: Path, name: str, out: Splits, strict: bool = False) -> list[Utterance]:
    """<root>/<name>/<speaker>/<chapter>/<speaker>-<chapter>.trans.txt + <utterance id>.flac."""
    folder = root / name
    if not folder.is_dir():
        found = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        raise UserError(f"no LibriSpeech set '{name}' in '{root}' (found: {', '.join(found[:8]) or 'nothing'}): "
                        "fix data.train_sets / val_sets / test_sets or data.root")
    utts = []
    for trans in sorted(folder.glob("*/*/*.trans.txt")):
        for number, raw in enumerate(trans.read_bytes().splitlines(), start=1):  # lines alone: one bad line, one item
            try:
                uid, _, text = raw.decode("utf-8").strip().partition(" ")
            except UnicodeDecodeError:
                _bad_line(trans, number, "is not UTF-8 text", out, strict)
                continue
            if not uid:
                continue
            if not text.strip():
                _bad_line(trans, number, "has an utterance id but no transcript", out, strict)
                continue
            utt = _utterance(trans.parent / f"{uid}.flac", text, None, out, strict)
            if utt:
                utts.append(utt)
    return utts


def _bad_line(trans: Path, number: int, what: str, out: Splits, strict: bool) -> None:
    if strict:
        raise UserError(f"'{trans}' line {number} {what}: fix the line, or set data.strict=false to skip such lines")
    out.skipped.append((f"{trans.name}:{number}", what))


def read_librispeech(root, train_sets, val_sets=(), test_sets=(), *, val_fraction: float = 0.05,
                     seed: int = 0, strict: bool = False) -> Splits:
    root = _librispeech_root(root)
    out = Splits(train=[])
    for split, names in (("train", train_sets), ("val", val_sets), ("test", test_sets)):
        for name in names or ():
            getattr(out, split).extend(read_librispeech_set(root, name, out, strict))
    _check_train(out, f"LibriSpeech sets {list(train_sets or [])} in '{root}'")
    if not val_sets:
        _carve(out, val_fraction, seed, "data.val_sets is empty")
    return out


# ------------------------------------------------------------------ shared


def _check_train(out: Splits, where: str) -> None:
    if not out.train:
        why = f" ({len(out.skipped)} missing or unreadable files or bad lines)" if out.skipped else ""
        raise UserError(f"no usable training utterances in {where}{why}: check the audio paths and transcripts")


def _carve(out: Splits, fraction: float, seed: int, why: str) -> None:
    check_fractions(val_fraction=fraction)
    order = list(range(len(out.train)))
    random.Random(seed).shuffle(order)
    n_val = max(1, round(fraction * len(order))) if fraction > 0 and len(order) > 1 else 0
    chosen = set(order[:n_val])
    out.val = [u for i, u in enumerate(out.train) if i in chosen]
    out.train = [u for i, u in enumerate(out.train) if i not in chosen]
    out.notes.append(f"{why}: carved {fraction * 100:g}% of train as val ({len(out.val)} utterances, seed {seed})")


def resampling_note(splits: Splits, sample_rate: int) -> str | None:
    """One sentence naming the files at another rate than the model's (resampled when decoded), or None."""
    files = {(u.audio, u.rate) for split in (splits.train, splits.val, splits.test) for u in split}  # each file once
    rates = Counter(rate for _, rate in files if rate != sample_rate)
    if not rates:
        return None
    unread = rates.pop(None, 0)
    parts = [f"{n} files from {r} Hz" for r, n in sorted(rates.items())]
    if unread:
        parts.append(f"any of {unread} files whose duration the manifest gave (rate read when decoded)")
    return f"resampling {', '.join(parts)} to {sample_rate} Hz (data.sample_rate, the model's rate)"
