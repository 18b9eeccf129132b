"""Key signatures: from a MIDI key number, or estimated from the notes (music21's Krumhansl-Schmuckler
key finding) for formats that carry none (piano rolls, MIDI files without a key event)."""
from __future__ import annotations

from tasks.music.events import STEPS_PER_QUARTER


def sharps_of(tonic_pc: int, minor: bool) -> int:
    """Key signature (sharps, negative for flats, -5..6) of a key: its relative major's place on the circle of fifths."""
    major = (tonic_pc + 3) % 12 if minor else tonic_pc % 12
    sharps = (7 * major) % 12
    return sharps - 12 if sharps > 6 else sharps


def midi_key_sharps(key_number: int) -> int:
    """pretty_midi's key number (0-11 C..B major, 12-23 c..b minor) -> sharps."""
    return sharps_of(key_number % 12, key_number >= 12)


def estimate_sharps(notes: list[tuple[int, int, int]]) -> int:
    """The key signature of the likeliest key of the notes (pitch, start, end in 16th steps).

    music21 weights each pitch class by its total duration, so one note per pitch class, as long as
    all of that class together, gives its analysis the same input at a fraction of the cost."""
    from music21 import note, stream

    if not notes:
        return 0
    weight = [0] * 12
    for pitch, start, end in notes:
        weight[pitch % 12] += end - start
    summary = stream.Stream()
    for pc, steps in enumerate(weight):
        if steps:
            summary.append(note.Note(60 + pc, quarterLength=steps / STEPS_PER_QUARTER))
    return int(summary.analyze("key").sharps)
