"""suite-predict's text inputs: `input=FILE` (one item a line) or `input="the text itself"`."""
from __future__ import annotations

from pathlib import Path

from suite.errors import UserError


def _as_file(text: str) -> Path | None:
    try:
        path = Path(text).expanduser()
        return path if path.is_file() else None
    except OSError:  # a long text is not a valid file name
        return None


def read_lines(spec, what: str = "text", limit: int | None = None) -> list[str]:
    """The non-blank lines of input=FILE, or the input text itself as one item; an empty input,
    a file that is not UTF-8 or one over `limit` lines is one line naming the fix."""
    text = str(spec)
    path = _as_file(text)
    if path is not None:
        try:
            lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
        except UnicodeDecodeError as e:
            raise UserError(f"input file '{path}' is not UTF-8 text ({e.reason}): save it as UTF-8") from e
        lines = [ln for ln in lines if ln]
        if not lines:
            raise UserError(f"input file '{path}' line 1: the file is empty: put one {what} a line")
        if limit is not None and len(lines) > limit:
            raise UserError(f"input file '{path}' has {len(lines)} lines: put 1 to {limit} {what}s in it")
        return lines
    if not text.strip():
        raise UserError(f"input is empty: give input=\"a {what}\" or input=FILE with one {what} a line")
    return [text.strip()]
