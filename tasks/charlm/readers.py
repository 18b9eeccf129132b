"""text_file reader: any UTF-8 text as one string; every problem is one line naming the file."""
from __future__ import annotations

import codecs
from pathlib import Path

from suite.errors import UserError

MIN_CHARS = 64  # fewer characters cannot fill a train and a val stream of a few steps


def read_text_file(path, key: str = "data.path", max_chars: int | None = None) -> str:
    """The file's text; with `max_chars`, only its first max_chars characters are read (memory stays bounded)."""
    if path in (None, ""):
        raise UserError(f"{key} is not set: set {key}=<a UTF-8 text file>")
    p = Path(str(path)).expanduser().absolute()
    if not p.is_file():
        raise UserError(f"{key} '{path}' {'is not a file' if p.exists() else 'does not exist'}: set {key}=<a UTF-8"
                        " text file>")
    with open(p, "rb") as f:
        raw = f.read(4 * max_chars + 3) if max_chars else f.read()  # a character is at most 4 bytes (+ a BOM)
        more = bool(max_chars) and bool(f.read(1))
    try:
        # a cut-off file may end inside a character: the incremental decoder leaves that tail out
        text = codecs.getincrementaldecoder("utf-8")().decode(raw, final=not more)
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise UserError(f"{p} line {line}: not UTF-8 text ({e.reason} at byte {e.start}): save the file as UTF-8"
                        ) from None
    text = text.removeprefix("\ufeff")[:max_chars or None]  # a BOM from Windows editors is not part of the text
    if not text.strip():
        raise UserError(f"{p} is empty: give data.path a file with text to learn from")
    if len(text) < MIN_CHARS:
        raise UserError(f"{p} has only {len(text)} characters: charlm needs at least {MIN_CHARS} (first 90% train,"
                        " last 10% val); give a longer text")
    return text
