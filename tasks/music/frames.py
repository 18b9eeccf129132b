"""Piano-roll frames, the representation of Boulanger-Lewandowski et al. (2012): one frame per time
step, each frame the set of keys sounding, 88 keys (MIDI 21-108, A0-C8).

A frame is stored as the sorted list of its active key indices (0 = MIDI 21). A piece's notes
(pitch, start, end) in 16th steps become frames of `frame_steps` steps each: frame t holds the
pitches sounding at step t * frame_steps (the grid is sampled at each frame's start, as the JSB
Chorales set samples chorales once a quarter note); with frame_steps=1 no note is lost.

The baseline (`Marginal`): every key an independent Bernoulli with its training-set frequency,
whatever came before; the LSTM must beat it by predicting from the previous frames.
"""
from __future__ import annotations

import math

import torch

LOWEST = 21  # A0, the piano's lowest key
KEYS = 88  # up to C8 (MIDI 108)


def to_frames(notes: list[tuple[int, int, int]], frame_steps: int, steps: int = 0) -> tuple[list[list[int]], int]:
    """Notes (pitch, start, end) in 16th steps, lasting `steps` (0: until the last note ends) ->
    (frames of key indices, notes dropped: off the 88 keys)."""
    length = -(-max([steps, *(e for _, _, e in notes)]) // frame_steps)  # ceil: the last note's frame is kept
    frames: list[set[int]] = [set() for _ in range(length)]
    dropped = 0
    for pitch, start, end in notes:
        if not LOWEST <= pitch < LOWEST + KEYS:
            dropped += 1
            continue
        for t in range(-(-start // frame_steps), -(-end // frame_steps)):  # frames whose start lies in [start, end)
            frames[t].add(pitch - LOWEST)
    return [sorted(f) for f in frames], dropped


def frames_to_notes(frames: list[list[int]], frame_steps: int = 1) -> list[tuple[int, int, int]]:
    """Frames -> notes (pitch, start, end) in 16th steps: a key active in consecutive frames is one held note."""
    notes, held = [], {}  # held: key -> first frame of its current run
    for t, frame in enumerate([*frames, []]):  # a last empty frame ends every held note
        active = set(frame)
        for key in [k for k in held if k not in active]:
            notes.append((LOWEST + key, held.pop(key) * frame_steps, t * frame_steps))
        for key in active:
            held.setdefault(key, t)
    return sorted(notes, key=lambda n: (n[1], -n[0]))


def dense(frames: list[list[int]], length: int | None = None) -> torch.Tensor:
    """Frames -> a (T, 88) 0/1 float tensor, padded with silent frames to `length`."""
    out = torch.zeros(length if length is not None else len(frames), KEYS)
    for t, frame in enumerate(frames):
        out[t, frame] = 1.0
    return out


class Marginal:
    """Independent per-key Bernoulli with training-set frequencies (Jeffreys-smoothed: +1/2, +1)."""

    def __init__(self, probs: list[float]):
        self.probs = torch.tensor(probs, dtype=torch.float64)  # (88,)

    @classmethod
    def fit(cls, pieces: list[list[list[int]]]) -> "Marginal":
        counts, frames = torch.zeros(KEYS, dtype=torch.float64), 0
        for piece in pieces:
            frames += len(piece)
            for frame in piece:
                counts[frame] += 1
        return cls(((counts + 0.5) / (frames + 1)).tolist())

    def nll(self, y: torch.Tensor) -> torch.Tensor:
        """0/1 frames (..., 88) -> nats per frame (...), summed over the keys."""
        p = self.probs.to(y.device)
        y = y.double()
        return -(y * p.log() + (1 - y) * (1 - p).log()).sum(-1)

    def logits(self) -> list[float]:
        """The log-odds of each key: the LSTM's output bias starts here, at the baseline."""
        return [math.log(p / (1 - p)) for p in self.probs.tolist()]
