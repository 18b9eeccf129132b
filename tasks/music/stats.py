"""Musical statistics of a piece, to set generated samples beside held-out music (test/gen_<stat> and
test/data_<stat> in metrics.json: the mean over pieces, a piece without a value left out).

Per piece of `length` 16th steps (notes (pitch, start, end) clipped to it):
  pitch_classes        distinct pitch classes of its notes (muspy.n_pitch_classes_used)
  pitch_class_entropy  Shannon entropy in bits of its notes' pitch-class histogram (muspy; 0-log2(12))
  in_scale             the largest fraction of its notes inside one major (= natural minor) scale, over
                       the 12 keys (muspy.scale_consistency): 1 for a tune that stays in one key
  polyphony            the mean number of pitches sounding over the 16th steps where any sounds (muspy;
                       1 for every melody_rnn sample and melody, by construction)
  empty_beats          the fraction of its quarter-note beats [4k, 4k+4) in which no note sounds
  bar_repetition       of its whole non-silent bars, the fraction that repeat an earlier bar of the piece
                       exactly (the same pitches starting and held at the same 16th steps)

muspy (Dong et al. 2020) gives the first four as its papers define them. The last two are computed
here on the piano roll: muspy has no bar-repetition metric, and its empty_beat_rate counts the beat
in which a note ends as sounding even when the note ends on that beat's first step (a quarter note
on beat 1 makes beat 2 non-empty), and a beat after the last note.
"""
from __future__ import annotations

import math

import numpy as np

STATS = ("pitch_classes", "pitch_class_entropy", "in_scale", "polyphony", "empty_beats", "bar_repetition")
BEAT = 4  # 16th steps a beat: a quarter note, as muspy (its resolution) and pypianoroll count beats
LENGTH = 128  # 16th steps of each piece compared: 8 bars of 4/4, long enough for 1-bar patterns to return
PIECES = 8  # generated samples at test time (seeds 0-7): a few seconds on a CPU


def _music(notes):
    import muspy  # a few seconds to import (scipy.stats, music21): only when statistics are wanted

    track = muspy.Track(notes=[muspy.Note(time=s, pitch=p, duration=e - s, velocity=64) for p, s, e in notes])
    return muspy.Music(resolution=BEAT, tracks=[track])  # resolution: time steps per quarter note


def roll(notes, length: int) -> np.ndarray:
    """(length, 128) int8: 2 where a pitch starts at a 16th step, 1 where it is held, 0 silent."""
    out = np.zeros((length, 128), np.int8)
    for p, s, e in notes:
        out[s:e, p] = 1
    for p, s, _ in notes:
        out[s, p] = 2
    return out


def piece_stats(notes, length: int, bar: int) -> dict[str, float]:
    """The statistics of one piece of `length` 16th steps with bars of `bar` steps (NaN: undefined,
    e.g. the in-scale rate of a silent piece)."""
    import muspy

    notes = [(p, s, min(e, length)) for p, s, e in notes if s < length and e > s]
    grid = roll(notes, length)  # (T, 128)
    sounding = (grid > 0).any(1)  # (T,)
    beats = [sounding[i:i + BEAT].any() for i in range(0, length, BEAT)]
    bars = [grid[i:i + bar] for i in range(0, length - bar + 1, bar)]  # whole bars only, (bar, 128) each
    heard = [b for b in bars if b.any()]
    repeats = sum(any(np.array_equal(b, c) for c in heard[:i]) for i, b in enumerate(heard))
    out = {"empty_beats": 1 - float(np.mean(beats)) if beats else math.nan,
           "bar_repetition": repeats / len(heard) if heard else math.nan}
    if not notes:
        return {**out, "pitch_classes": 0.0, "pitch_class_entropy": math.nan, "in_scale": math.nan,
                "polyphony": math.nan}
    music = _music(notes)
    return {**out, "pitch_classes": float(muspy.n_pitch_classes_used(music)),
            "pitch_class_entropy": float(muspy.pitch_class_entropy(music)),
            "in_scale": float(muspy.scale_consistency(music)), "polyphony": float(muspy.polyphony(music))}


def mean_stats(per_piece: list[dict], prefix: str) -> dict[str, float]:
    """{prefix + stat: the mean over the pieces where it is defined}; a stat no piece defines is left out."""
    out = {}
    for name in STATS:
        values = [d[name] for d in per_piece if not math.isnan(d[name])]
        if values:
            out[prefix + name] = float(np.mean(values))
    return out


def generated(module, pieces: int = PIECES, length: int = LENGTH) -> list[dict]:
    """The statistics of `pieces` samples from nothing (seeds 0.., temperature 1, every event allowed),
    each `length` 16th steps long, barred in the training data's commonest metre."""
    from tasks.music.render import steps_per_bar
    from tasks.music.samples import generate

    meta = module.meta
    fs = meta.frame_steps if meta.representation == "pianoroll" else 1
    bar = steps_per_bar(meta.numerator, meta.denominator)
    return [piece_stats(generate(module, [], -(-length // fs), seed=seed)[0], length, bar) for seed in range(pieces)]


def held_out(batch: dict, meta, length: int = LENGTH) -> list[dict]:
    """The statistics of each piece of a batch (its first `length` 16th steps, all of a shorter one),
    barred in its own metre (batch["bars"])."""
    from tasks.music.events import to_notes
    from tasks.music.frames import frames_to_notes

    fs = meta.frame_steps if meta.representation == "pianoroll" else 1
    out = []
    for y, n, bar in zip(batch["y"].cpu(), batch["lengths"].tolist(), batch["bars"]):
        y = y[:min(n, -(-length // fs))]  # (T,) events or (T, 88) frames
        if meta.representation == "pianoroll":
            notes = frames_to_notes([f.nonzero().flatten().tolist() for f in y], fs)
        else:
            notes = to_notes(y.tolist(), meta.min_pitch)
        out.append(piece_stats(notes, min(len(y) * fs, length), bar))
    return out

