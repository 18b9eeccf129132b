"""The default corpus: this machine's own Python standard library source, nothing downloaded.

The Python twin of the classic "generated C code" char-RNN demo: sorted top-level *.py files of
sysconfig's stdlib folder, concatenated up to a size cap, cached once as corpus.txt and then read
by the same text_file reader a user's file goes through.
"""
from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

from suite.data.generated import build_once
from suite.errors import UserError

VERSION = 1  # bump when the selection changes: cached corpora are rebuilt
FILE = "corpus.txt"


def stdlib_dir() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def build_stdlib_corpus(root, max_chars: int) -> Path:
    """`root/corpus.txt`: the stdlib's *.py files in name order, each whole, until `max_chars`."""
    src = stdlib_dir()
    files = sorted(src.glob("*.py"))
    if not files:
        raise UserError(f"no *.py files in the Python standard library folder {src}: use data=text_file"
                        " data.path=<a UTF-8 text file>")

    def build(tmp: Path) -> None:
        parts, size = [], 0
        for f in files:
            text = f.read_text(encoding="utf-8", errors="replace")  # the stdlib is UTF-8; never fail on one file
            if size + len(text) > max_chars and parts:
                break  # whole files only: a cut-off file would end mid-function
            parts.append(text)
            size += len(text)
        (tmp / FILE).write_text("".join(parts)[:max_chars], encoding="utf-8")

    params = {"version": VERSION, "stdlib": str(src), "python": sys.version.split()[0], "max_chars": int(max_chars)}
    return build_once(root, params, build, marker=FILE) / FILE
