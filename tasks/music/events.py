"""Monophonic melodies as note events on a 16th-note grid (the encoding of Magenta's Melody RNN).

A melody is a list of notes `(pitch, start, end)` in grid steps (4 steps a quarter note). Its
event sequence has one event per step: NOTE_ON(pitch) where a note starts, NOTE_OFF where a note
ends and no other starts (a rest follows), NO_EVENT otherwise (a note holds, or silence goes on).
Token ids: 0 PAD, 1 BOS (the start symbol the model reads first), 2 NO_EVENT, 3 NOTE_OFF, then one
NOTE_ON per pitch from `min_pitch` to `max_pitch`.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from suite.errors import UserError
from suite.meta import Meta

PAD, BOS, NO_EVENT, NOTE_OFF = 0, 1, 2, 3
FIRST_PITCH_ID = 4
STEPS_PER_QUARTER = 4  # a 16th-note grid, as Magenta's melodies
NOTE_NAMES = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}


@dataclass
class Piece:
    """One piece: notes (pitch, start step, end step) sorted by start (several voices may overlap until
    `skyline` keeps the top one), metre, key signature (sharps, negative for flats), title."""

    notes: list[tuple[int, int, int]]
    numerator: int = 4  # time signature (M: 4/4)
    denominator: int = 4
    title: str = ""
    sharps: int | None = 0  # the key signature: 2 = D major / B minor, -3 = E-flat major / C minor; None: unknown
    steps: int = 0  # length in grid steps, when it runs past its last note (a piano roll's closing silence); 0: none

    @property
    def steps_per_bar(self) -> int:
        return max(1, round(self.numerator * 4 * STEPS_PER_QUARTER / self.denominator))

    def to_dict(self) -> dict:
        return {"notes": [list(n) for n in self.notes], "metre": [self.numerator, self.denominator],
                "title": self.title, "sharps": self.sharps, "steps": self.steps}

    @classmethod
    def from_dict(cls, d: dict) -> "Piece":
        num, den = d.get("metre", (4, 4))
        sharps = d.get("sharps", 0)
        return cls([tuple(int(v) for v in n) for n in d["notes"]], int(num), int(den), str(d.get("title", "")),
                   None if sharps is None else int(sharps), int(d.get("steps", 0)))

    def transposed(self, semitones: int) -> "Piece":
        return dataclasses.replace(self, notes=[(p + semitones, s, e) for p, s, e in self.notes])

    def to_c(self) -> "Piece":
        """Transposed to C major / A minor by its key signature (the nearer way, up or down); a piece
        whose signature is unknown gets the one of its likeliest key (music21's key analysis)."""
        from tasks.music.keys import estimate_sharps

        sharps = self.sharps if self.sharps is not None else estimate_sharps(self.notes)
        shift = (-7 * sharps) % 12
        return dataclasses.replace(self.transposed(shift - 12 if shift > 6 else shift), sharps=0)


def skyline(notes: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """The top voice of possibly polyphonic notes: at each onset the highest pitch starting there;
    a note lasts until its own end or the next onset kept, whichever comes first."""
    by_start: dict[int, tuple[int, int]] = {}
    for pitch, start, end in notes:
        if end <= start:
            continue
        if start not in by_start or pitch > by_start[start][0]:
            by_start[start] = (pitch, end)
    starts = sorted(by_start)
    out = []
    for i, s in enumerate(starts):
        pitch, end = by_start[s]
        if i + 1 < len(starts):
            end = min(end, starts[i + 1])
        out.append((pitch, s, end))
    return out


def fold_pitch(pitch: int, lo: int, hi: int) -> int:
    """Move a pitch by octaves into [lo, hi] (Magenta squashes melodies the same way)."""
    while pitch < lo:
        pitch += 12
    while pitch > hi:
        pitch -= 12
    return pitch if lo <= pitch <= hi else lo  # a range under an octave cannot hold every pitch class


def fit_range(notes: list[tuple[int, int, int]], lo: int, hi: int) -> list[tuple[int, int, int]]:
    """Shift the whole melody by octaves so its middle sits in the range, then fold the outliers."""
    if not notes:
        return notes
    middle = (min(n[0] for n in notes) + max(n[0] for n in notes)) / 2
    shift = 12 * round(((lo + hi) / 2 - middle) / 12)
    return [(fold_pitch(p + shift, lo, hi), s, e) for p, s, e in notes]


def to_events(notes: list[tuple[int, int, int]], lo: int, hi: int) -> list[int]:
    """Monophonic notes (sorted, non-overlapping, pitches in [lo, hi]) -> token ids, one per step."""
    if not notes:
        return []
    length = max(e for _, _, e in notes)
    events = [NO_EVENT] * length
    for pitch, start, end in notes:
        events[start] = FIRST_PITCH_ID + pitch - lo
    starts = {s for _, s, _ in notes}
    for _, _, end in notes:
        if end < length and end not in starts:
            events[end] = NOTE_OFF
    # the last note's end is the end of the sequence: it needs no NOTE_OFF of its own
    return events


def to_notes(events: list[int], lo: int) -> list[tuple[int, int, int]]:
    """Token ids -> notes (pitch, start, end); PAD and BOS are ignored (they never reach a note)."""
    notes, current = [], None  # current: (pitch, start)
    for t, e in enumerate(events):
        if e >= FIRST_PITCH_ID or e == NOTE_OFF:
            if current is not None:
                notes.append((current[0], current[1], t))
                current = None
            if e >= FIRST_PITCH_ID:
                current = (lo + e - FIRST_PITCH_ID, t)
    if current is not None:
        notes.append((current[0], current[1], max(len(events), current[1] + 1)))
    return notes


def parse_pitch(name: str) -> int:
    """'C4' -> 60, 'F#3' -> 54, 'Bb5' -> 82, '67' -> 67 (scientific pitch notation, middle C = C4)."""
    m = re.fullmatch(r"([A-Ga-g])([#b]*)(-?\d)", name.strip())
    if name.strip().isdigit():
        value = int(name)
    elif m:
        letter, accidentals, octave = m.groups()
        value = 12 * (int(octave) + 1) + NOTE_NAMES[letter.upper()] + accidentals.count("#") - accidentals.count("b")
    else:
        raise UserError(f"primer pitch '{name}' is not a pitch: write names like \"C4 E4 G4\" (middle C is C4), "
                        "MIDI numbers, or give a .mid or .abc file")
    if not 0 <= value <= 127:
        raise UserError(f"primer pitch '{name}' is outside MIDI's 0-127: pick pitches between C-1 and G9")
    return value


@dataclass(kw_only=True)
class MusicMeta(Meta):
    min_pitch: int  # NOTE_ON ids cover [min_pitch, max_pitch]
    max_pitch: int
    numerator: int = 4  # the commonest metre of the training pieces: generated music is barred in it
    denominator: int = 4
    representation: str = "events"  # events (melody_rnn) | pianoroll (poly_rnn): what the data module made
    frame_steps: int = 1  # pianoroll: 16th steps per frame (written files keep the training tempo)
    marginal: list = field(default_factory=list)  # pianoroll: the 88 keys' training frequencies (the baseline)

    @property
    def vocab_size(self) -> int:
        return FIRST_PITCH_ID + self.max_pitch - self.min_pitch + 1
