"""`data=pianoroll`: the Boulanger-Lewandowski et al. (2012) layout (JSB Chorales, Nottingham,
MuseData, Piano-midi.de): a dict {"train", "valid", "test"} of pieces, each a list of frames, each
a list of the MIDI pitches sounding, as .json or .pkl.

    {"train": [[[60, 64, 67], [60, 65, 69], []], ...], "valid": [...], "test": [...]}

A pickle can run code when loaded, so it is read by an unpickler that refuses every global: only
containers, strings and numbers load; a pickle holding any object is refused whole, in one line.
Pitches off the piano's 88 keys (MIDI 21-108) are dropped and counted; a malformed piece is
skipped and counted (data.strict=true: fatal).
"""
from __future__ import annotations

import io
import json
import pickle
from pathlib import Path

from suite.errors import UserError
from tasks.music.events import Piece
from tasks.music.frames import KEYS, LOWEST, frames_to_notes

SPLIT_KEYS = {"train": ("train",), "val": ("valid", "val"), "test": ("test",)}  # our split -> the file's key


class Refused(pickle.UnpicklingError):
    """The pickle names a global (a class or function): it is not plain data."""


class PlainUnpickler(pickle.Unpickler):
    """Loads only what a pickle builds without naming a global: dict, list, tuple, str, int, float."""

    def find_class(self, module: str, name: str):
        raise Refused(f"it names the global {module}.{name}")


def load_file(path) -> dict:
    if path in (None, ""):
        raise UserError("data.path is not set: set data.path=<a piano-roll .json or .pkl file>")
    p = Path(str(path)).expanduser().absolute()
    if not p.is_file():
        raise UserError(f"data.path '{path}' does not exist: set data.path=<a piano-roll .json or .pkl file>")
    raw = p.read_bytes()
    if p.suffix.lower() == ".json":
        try:
            return json.loads(raw)
        except ValueError as err:
            raise UserError(f"{p} is not valid JSON ({err}): write the dict train/valid/test of pieces of frames "
                            "of pitches") from None
    if p.suffix.lower() not in (".pkl", ".pickle"):
        raise UserError(f"{p} is neither .json nor .pkl: give the piano rolls as one of those")
    try:  # latin-1: the original files are Python 2 pickles, whose byte strings decode to str
        return PlainUnpickler(io.BytesIO(raw), encoding="latin1").load()
    except Refused as err:
        raise UserError(f"{p} refused: {err}, and piano-roll pickles may hold only dicts, lists and numbers (a "
                        "pickle can run code): re-save it as plain lists, or as JSON") from None
    except Exception as err:  # noqa: BLE001 - truncated or foreign files raise many kinds
        raise UserError(f"{p} is not a readable pickle ({type(err).__name__}): give the piano rolls as .json or "
                        ".pkl") from None


def _frame(frame) -> list[int]:
    if not isinstance(frame, (list, tuple)):
        raise ValueError("a frame is not a list of pitches")
    out = []
    for v in frame:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v != int(v):
            raise ValueError(f"{v!r} is not a MIDI pitch number")
        out.append(int(v))
    return out


def read_pianoroll(path, strict: bool = False) -> tuple[dict[str, list[Piece]], list[tuple[str, str]], list[str]]:
    """-> ({"train"|"val"|"test": pieces}, skipped (name, reason), notes for the log). One frame is one
    grid step of the pieces (data.frame_steps=1 keeps the file's frames as they are)."""
    saved = load_file(path)
    if not isinstance(saved, dict) or not any(k in saved for k in ("train", "valid", "val", "test")):
        raise UserError(f"{path} holds no dict with train/valid/test keys: write "
                        "{\"train\": [piece, ...], \"valid\": [...], \"test\": [...]}, a piece a list of frames")
    splits, skipped, off_keys = {}, [], 0
    for split, names in SPLIT_KEYS.items():
        key = next((k for k in names if k in saved), None)
        pieces = saved.get(key, []) if key else []
        if not isinstance(pieces, (list, tuple)):
            raise UserError(f"{path}: '{key}' is not a list of pieces: each split is a list of pieces of frames")
        splits[split] = []
        for i, piece in enumerate(pieces):
            name = f"{key}[{i}]"
            try:
                if not isinstance(piece, (list, tuple)) or not piece:
                    raise ValueError("not a non-empty list of frames")
                frames = [_frame(f) for f in piece]
            except ValueError as err:
                if strict:
                    raise UserError(f"{path} {name}: {err} (data.strict=true: fix it, or set data.strict=false to "
                                    "skip bad pieces and count them)") from None
                skipped.append((name, str(err)))
                continue
            keys = [[p - LOWEST for p in f if LOWEST <= p < LOWEST + KEYS] for f in frames]
            off_keys += sum(map(len, frames)) - sum(map(len, keys))
            splits[split].append(Piece(frames_to_notes(keys), title=name, sharps=None, steps=len(frames)))
    notes = [f"{path}: {' / '.join(f'{len(v)} {k}' for k, v in splits.items())} pieces of piano-roll frames"]
    if off_keys:
        notes.append(f"{path}: dropped {off_keys} pitches off the piano's 88 keys (MIDI {LOWEST}-{LOWEST + KEYS - 1})")
    return splits, skipped, notes
