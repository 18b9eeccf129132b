"""Music readers: ABC files (many tunes a file) and the corpus inside the music21 wheel.

Readers only read: each returns `(pieces, skipped)`, pieces as `Piece`s (all voices; the
datamodule keeps what its model needs) and skipped as (name, one-line reason). music21 is
imported here only, on first use (it takes seconds to import).
"""
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

from suite.data.generated import build_once
from suite.errors import UserError
from tasks.music.events import STEPS_PER_QUARTER, Piece

CORPUS_VERSION = 2  # bump when extraction changes: cached corpus collections are re-read
# data.collection -> (folder of music21/corpus, file pattern, what it is)
COLLECTIONS = {
    "bach_chorales": ("bach", "bwv*.[mx][xm]l", "about 400 four-part Bach chorales (MusicXML: .mxl and .xml)"),
    "essen": ("essenFolksong", "*.abc", "German and Chinese folk songs of the Essen collection (ABC)"),
    "oneills1850": ("oneills1850", "*.abc", "O'Neill's 1850 Irish tunes (ABC)"),
    "nottingham": ("nottingham-dataset", "*.abc", "Nottingham folk tunes, reels (ABC)"),
    "ryans_mammoth": ("ryansMammoth", "*.abc", "Ryan's Mammoth Collection, 1059 tunes (ABC)"),
}


def one_line(err: Exception) -> str:
    text = " ".join(str(err).split()) or type(err).__name__
    return f"{type(err).__name__}: {text[:160]}"


def from_stream(score, title: str) -> Piece:
    """A music21 stream -> Piece: every sounding pitch on the 16th grid, the first metre and key."""
    from music21 import harmony

    try:
        score = score.stripTies(inPlace=False)  # a tied note is one long note
    except Exception:  # noqa: BLE001 - some streams cannot strip ties; the notes are still usable
        pass
    flat = score.flatten()
    notes = []
    for n in flat.notes:
        if isinstance(n, harmony.Harmony):  # chord symbols ("Am" over the staff) are not played notes
            continue
        start = round(float(n.offset) * STEPS_PER_QUARTER)
        end = round(float(n.offset + n.quarterLength) * STEPS_PER_QUARTER)
        if end <= start:  # grace notes have no duration; a 32nd rounds to nothing
            continue
        notes.extend((int(p.midi), start, end) for p in n.pitches)
    if not notes:
        raise ValueError("no notes")
    notes.sort(key=lambda n: (n[1], -n[0]))
    times = flat.getElementsByClass("TimeSignature")
    keys = flat.getElementsByClass("KeySignature")
    num, den = (times[0].numerator, times[0].denominator) if times else (4, 4)
    sharps = int(keys[0].sharps) if keys else 0
    return Piece(notes, int(num), int(den), title, sharps)


def split_tunes(text: str) -> list[tuple[str, str]]:
    """ABC text -> (label, tune text) per `X:` tune; the file header (before the first X:) is
    prepended to each tune, as the ABC standard says it applies to all of them."""
    starts = [m.start() for m in re.finditer(r"^X:", text, flags=re.M)]
    if not starts:
        return [("X:?", text)] if text.strip() else []
    header = text[:starts[0]]
    tunes = []
    for i, s in enumerate(starts):
        body = text[s: starts[i + 1] if i + 1 < len(starts) else len(text)]
        number = body.split("\n", 1)[0][2:].strip()
        title = re.search(r"^T:\s*(.*)$", body, flags=re.M)
        label = f"X:{number}" + (f" {title.group(1).strip()}" if title else "")
        tunes.append((label, header + body))
    return tunes


def parse_abc_tune(text: str, title: str) -> Piece:
    from music21 import converter

    return from_stream(converter.parse(text, format="abc"), title)


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # older ABC collections are Latin-1; every byte decodes


def read_abc_files(files: list[Path], strict: bool = False, label_root: Path | None = None
                   ) -> tuple[list[Piece], list[tuple[str, str]]]:
    pieces, skipped = [], []
    for path in files:
        name = str(path.relative_to(label_root)) if label_root else path.name
        tunes = split_tunes(_read_text(path))
        if not tunes:
            _skip(skipped, name, "empty file", strict)
        for label, tune in tunes:
            try:
                pieces.append(parse_abc_tune(tune, label))
            except Exception as err:  # noqa: BLE001 - music21 raises many kinds on a bad tune
                _skip(skipped, f"{name} {label}", one_line(err), strict)
    return pieces, skipped


def _skip(skipped: list, name: str, reason: str, strict: bool) -> None:
    if strict:
        raise UserError(f"{name}: {reason} (data.strict=true: fix or remove it, or set data.strict=false to skip "
                        "bad tunes and count them)")
    skipped.append((name, reason))


def abc_files(path) -> tuple[list[Path], Path | None]:
    """data.path: an .abc file or a folder searched for *.abc (sorted); a clear line otherwise."""
    if path in (None, ""):
        raise UserError("data.path is not set: set data.path=<an .abc file or a folder of them>")
    p = Path(str(path)).expanduser().absolute()
    if p.is_file():
        return [p], None
    if p.is_dir():
        files = sorted(f for f in p.rglob("*") if f.suffix.lower() == ".abc" and f.is_file())
        if not files:
            raise UserError(f"no .abc files under {p}: set data.path=<an .abc file or a folder of them>")
        return files, p
    raise UserError(f"data.path '{path}' does not exist: set data.path=<an .abc file or a folder of them>")


def read_abc(path, strict: bool = False) -> tuple[list[Piece], list[tuple[str, str]]]:
    files, root = abc_files(path)
    return read_abc_files(files, strict, root)


def corpus_dir() -> Path:
    spec = importlib.util.find_spec("music21")  # its folder, without importing it (seconds)
    if spec is None or not spec.submodule_search_locations:
        raise UserError("music21 is not installed: pip install music21 (data=abc and data=music21_corpus read with it)")
    return Path(list(spec.submodule_search_locations)[0]) / "corpus"


def read_music21_corpus(collection: str, cache_root, limit: int | None = None, strict: bool = False
                        ) -> tuple[list[Piece], list[tuple[str, str]]]:
    """A named collection of music21's bundled corpus, parsed once and cached as JSON."""
    if collection not in COLLECTIONS:
        raise UserError(f"unknown data.collection '{collection}': use one of {', '.join(COLLECTIONS)}")
    folder, pattern, _ = COLLECTIONS[collection]
    files = sorted(corpus_dir().joinpath(folder).glob(pattern))
    if not files:
        raise UserError(f"music21's corpus has no {folder}/{pattern}: reinstall music21 (the wheel ships it)")
    files = files[: int(limit)] if limit else files

    def build(tmp: Path) -> None:
        if pattern.endswith(".abc"):
            pieces, skipped = read_abc_files(files, strict=False)
        else:
            from music21 import converter

            pieces, skipped = [], []
            for f in files:
                try:
                    pieces.append(from_stream(converter.parse(f), f.stem))
                except Exception as err:  # noqa: BLE001
                    skipped.append((f.name, one_line(err)))
        (tmp / "pieces.json").write_text(json.dumps({"pieces": [p.to_dict() for p in pieces], "skipped": skipped}))

    spec = importlib.util.find_spec("music21")
    params = {"version": CORPUS_VERSION, "collection": collection, "limit": limit, "music21": str(spec.origin)}
    root = build_once(Path(str(cache_root)) / f"{collection}-{limit or 'all'}", params, build, marker="pieces.json")
    saved = json.loads((root / "pieces.json").read_text())
    skipped = [tuple(s) for s in saved["skipped"]]
    if strict and skipped:
        _skip([], *skipped[0], strict=True)
    return [Piece.from_dict(d) for d in saved["pieces"]], skipped
