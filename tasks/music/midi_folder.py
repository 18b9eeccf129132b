"""`data=midi_folder`: a folder tree of .mid / .midi files, read with pretty_midi.

Notes are placed on the 16th grid in score time (MIDI ticks), so tempo changes do not bend the grid.
Drum tracks are left out; `data.track` keeps only the tracks whose name contains it (melody_rnn then
takes their top voice; none: every track, and the top voice of all). The key signature is the
file's first key event, or, without one, music21's estimate (for data.transpose=c).

Splits: a root holding train/ and test/ (and valid/ or val/) folders keeps them, as the
Boulanger-Lewandowski MIDI sets are laid out; otherwise the data module carves them by file.
A file pretty_midi cannot read, or one with no notes, is skipped and counted (data.strict=true: fatal).
"""
from __future__ import annotations

import warnings
from pathlib import Path

from suite.errors import UserError
from tasks.music.events import STEPS_PER_QUARTER, Piece
from tasks.music.keys import midi_key_sharps
from tasks.music.readers import one_line

SUFFIXES = (".mid", ".midi")
SPLIT_DIRS = {"train": ("train",), "val": ("valid", "val"), "test": ("test",)}


def midi_notes(path: Path, track: str | None = None):
    """(notes (pitch, start, end) in 16th steps, sorted by start; the PrettyMIDI) of a file."""
    import pretty_midi

    with warnings.catch_warnings():  # "tempo/key events on non-zero tracks": common and harmless
        warnings.simplefilter("ignore")
        pm = pretty_midi.PrettyMIDI(str(path))
    per_step = pm.resolution / STEPS_PER_QUARTER  # ticks per 16th
    instruments = [i for i in pm.instruments if not i.is_drum]
    if track:
        instruments = [i for i in instruments if str(track).lower() in i.name.lower()]
        if not instruments:
            raise ValueError(f"no track named like '{track}'")
    tick = {}  # pretty_midi converts ticks to seconds; back to ticks, once per distinct time

    def step(t: float) -> int:
        if t not in tick:
            tick[t] = round(pm.time_to_tick(t) / per_step)
        return tick[t]

    notes = [(n.pitch, step(n.start), step(n.end)) for inst in instruments for n in inst.notes]
    notes = sorted((n for n in notes if n[2] > n[1]), key=lambda n: (n[1], -n[0]))  # grace notes round to nothing
    return notes, pm


def read_midi_file(path: Path, track: str | None = None) -> Piece:
    notes, pm = midi_notes(path, track)
    if not notes:
        raise ValueError("no notes")
    first = min(s for _, s, _ in notes)
    notes = [(p, s - first, e - first) for p, s, e in notes]  # a silent lead-in is not music
    times = pm.time_signature_changes
    num, den = (times[0].numerator, times[0].denominator) if times else (4, 4)
    keys = pm.key_signature_changes
    return Piece(notes, int(num), int(den), path.stem, midi_key_sharps(keys[0].key_number) if keys else None)


def midi_files(folder: Path) -> list[Path]:
    return sorted(f for f in folder.rglob("*") if f.suffix.lower() in SUFFIXES and f.is_file())


def split_folders(root: Path) -> dict[str, Path] | None:
    """{split: folder} when the root is laid out as train/ valid/ test/ (train and test at least)."""
    found = {split: next((root / n for n in names if (root / n).is_dir()), None) for split, names in SPLIT_DIRS.items()}
    return found if found["train"] and found["test"] else None


def read_midi_folder(root, strict: bool = False, track: str | None = None
                     ) -> tuple[dict[str, list[Piece]], list[tuple[str, str]]]:
    """-> ({"train", "val", "test"} when the root has split folders, else {"all"}: pieces), skipped."""
    if root in (None, ""):
        raise UserError("data.root is not set: set data.root=<a folder of .mid files>")
    base = Path(str(root)).expanduser().absolute()
    if not base.is_dir():
        raise UserError(f"data.root '{root}' is not a folder: set data.root=<a folder of .mid files>")
    folders = split_folders(base) or {"all": base}
    groups, skipped = {}, []
    for split, folder in folders.items():
        groups[split] = []
        for path in midi_files(folder) if folder else []:
            try:
                groups[split].append(read_midi_file(path, track))
            except Exception as err:  # noqa: BLE001 - mido / pretty_midi raise many kinds on a corrupt file
                reason = one_line(err)
                name = str(path.relative_to(base))
                if strict:
                    raise UserError(f"{name}: {reason} (data.strict=true: fix or remove it, or set "
                                    "data.strict=false to skip bad files and count them)") from None
                skipped.append((name, reason))
    if not any(groups.values()) and not skipped:
        raise UserError(f"no .mid or .midi files under {base}: set data.root=<a folder of .mid files>")
    return groups, skipped
