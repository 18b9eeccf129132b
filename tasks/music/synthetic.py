"""The built-in melodies `synthetic_melodies`: seeded 16-bar tunes with a form that returns.

Each piece draws a key (12 tonics), a mode (major, or minor with a raised leading tone at
cadences) and a metre (4/4, 3/4 or 6/8 on the 16th grid). It is four 4-bar phrases:
  A   three free bars (a random walk over scale degrees, rhythms from the metre's bar patterns,
      some bars ending in a rest) and a half cadence (ends on the 2nd or 5th degree);
  A'  A's first three bars again, then a full cadence (leading tone or 2nd -> tonic, held);
  B   a sequence: a one-bar motif, then the same motif a step lower, twice, then a half cadence;
  B'  B with a full cadence.
The form is one of AA'BA', ABA'B', AA'BB'. So the first three bars of the last phrase repeat
those of a phrase 4 or 8 bars before, and the first phrase returns (4 or 8 bars on, up to 12 bars
from its start): a model that remembers phrases predicts them, a
4-gram over 16th-note events (three events of context, often "note held, held, held") cannot.
Written once as JSON (`melodies.json`: {"train"|"val"|"test": [Piece dicts]}) into the cache.
"""
from __future__ import annotations

import json
import random
from pathlib import Path

from suite.data.generated import build_once
from tasks.music.events import Piece

GENERATOR_VERSION = 2  # bump when the generator changes: cached sets regenerate
MARKER = "melodies.json"
SCALES = {"major": [0, 2, 4, 5, 7, 9, 11], "minor": [0, 2, 3, 5, 7, 8, 10]}
METRES = [(4, 4), (3, 4), (6, 8)]
# one bar's note durations in 16th steps, per metre; the cadence bars end on a long note
BARS = {
    (4, 4): [[4, 4, 4, 4], [2, 2, 4, 4, 4], [4, 2, 2, 8], [6, 2, 4, 4], [2, 2, 2, 2, 4, 4], [4, 4, 8], [3, 1, 4, 4, 4]],
    (3, 4): [[4, 4, 4], [8, 4], [2, 2, 4, 4], [6, 2, 4], [4, 2, 2, 4]],
    (6, 8): [[6, 6], [4, 2, 4, 2], [2, 2, 2, 6], [4, 2, 6], [2, 2, 2, 2, 2, 2]],
}
CADENCE_BARS = {(4, 4): [4, 4, 8], (3, 4): [4, 8], (6, 8): [6, 6]}
FORMS = [("A", "A'", "B", "A'"), ("A", "B", "A'", "B'"), ("A", "A'", "B", "B'")]
STEPS = [-2, -1, -1, -1, 0, 1, 1, 1, 2, -3, 3, 4, -4]  # scale-degree moves: mostly steps, some leaps


def _bar(rng: random.Random, rhythm: list[int], degree: int, move_first: bool = True
         ) -> tuple[list[tuple[int, int, bool]], int]:
    """A bar of (degree, duration, rest_after) moving on from `degree` (or starting on it when not
    `move_first`); returns it and the degree it ends on."""
    notes = []
    for dur in rhythm:
        if notes or move_first:
            degree = max(-3, min(9, degree + rng.choice(STEPS)))
        notes.append((degree, dur, False))
    if rng.random() < 0.3 and rhythm[-1] >= 4:  # the bar breathes: its last note is cut, a rest follows
        d, dur, _ = notes[-1]
        notes[-1] = (d, dur, True)
    return notes, degree


def _cadence(rng: random.Random, metre, final: int) -> list[tuple[int, int, bool]]:
    rhythm = CADENCE_BARS[metre]
    approach = [2, 1] if final == 0 else [rng.choice([2, 3, 6]), rng.choice([3, 5])]  # full: 3rd, 2nd -> tonic
    approach = approach[-(len(rhythm) - 1):] if len(rhythm) > 1 else []
    degrees = approach + [final]
    if final == 0 and len(degrees) >= 2 and rng.random() < 0.5:
        degrees[-2] = -1  # the leading tone below the tonic
    return [(d, dur, False) for d, dur in zip(degrees, rhythm)]


def _phrases(rng: random.Random, metre) -> dict[str, list]:
    bars = BARS[metre]
    start = rng.choice([0, 2, 4])
    a_body, degree = [], start
    for k in range(3):
        bar, degree = _bar(rng, rng.choice(bars), degree, move_first=k > 0)
        a_body.append(bar)
    half = rng.choice([4, 1])
    motif, _ = _bar(rng, rng.choice(bars), rng.choice([2, 4, 5, 7]), move_first=False)
    sequence = [[(d - shift, dur, rest) for d, dur, rest in motif] for shift in (0, 1, 2)]
    return {"A": a_body + [_cadence(rng, metre, half)], "A'": a_body + [_cadence(rng, metre, 0)],
            "B": sequence + [_cadence(rng, metre, half)], "B'": sequence + [_cadence(rng, metre, 0)]}


def make_piece(rng: random.Random, index: int) -> Piece:
    tonic = 55 + rng.randrange(12)  # G3..F#4: every piece then lies within MIDI 50-82
    mode = rng.choice(["major", "minor"])
    metre = rng.choice(METRES)
    scale = SCALES[mode]
    parts = _phrases(rng, metre)
    notes, t = [], 0
    for name in rng.choice(FORMS):
        for k, bar in enumerate(parts[name]):
            for degree, dur, rest in bar:
                pitch = tonic + 12 * (degree // 7) + scale[degree % 7]
                if mode == "minor" and degree % 7 == 6 and name.endswith("'") and k == 3:
                    pitch += 1  # harmonic minor: the raised leading tone in a full cadence
                notes.append((pitch, t, t + (dur // 2 if rest else dur)))
                t += dur
    major = tonic % 12 if mode == "major" else (tonic + 3) % 12  # the relative major names the key signature
    sharps = (7 * major) % 12
    return Piece(notes, metre[0], metre[1], f"synthetic {index} ({mode}, {metre[0]}/{metre[1]})",
                 sharps - 12 if sharps > 6 else sharps)


def generate_melodies(root, *, n_train: int, n_val: int, n_test: int, seed: int = 0) -> Path:
    """`root/melodies.json`, built once per parameter set (cached, atomic)."""
    def build(tmp: Path) -> None:
        rng = random.Random(seed)
        sizes = {"train": n_train, "val": n_val, "test": n_test}
        out, k = {}, 0
        for split, n in sizes.items():
            out[split] = []
            for _ in range(int(n)):
                out[split].append(make_piece(rng, k).to_dict())
                k += 1
        (tmp / MARKER).write_text(json.dumps(out))

    params = {"version": GENERATOR_VERSION, "n_train": int(n_train), "n_val": int(n_val), "n_test": int(n_test),
              "seed": int(seed)}
    return build_once(root, params, build, marker=MARKER)
