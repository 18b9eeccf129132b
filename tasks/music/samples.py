"""Sampling a trained module into notes, shared by suite-predict (predict.py), the W&B sample table
after each validation and the musical statistics at test time (module.py, stats.py).

A sample is drawn with its own seeded generator (the global random state is left alone, so whether
a W&B logger is attached changes nothing in training), from a primer's notes or from nothing.
"""
from __future__ import annotations

import torch

from tasks.music.events import fit_range, skyline, to_events, to_notes
from tasks.music.frames import dense, frames_to_notes, to_frames
from tasks.music.render import abc_text, pianoroll_image, steps_per_bar, synthesize, to_midi

EXAMPLES = 4  # samples in the W&B table per validation: a glance, not a survey
EXAMPLE_LENGTH = 64  # 16th steps each: 4 bars of 4/4, 8 s of audio; cheap to draw and render every validation


def generate(module, primer: list[tuple[int, int, int]], steps: int, temperature: float = 1.0, top_k: int = 0,
             seed: int = 0) -> tuple[list[tuple[int, int, int]], int, int]:
    """`steps` time steps after the primer's notes -> (notes in 16th steps, the primer's length in 16th
    steps, time steps in all: events or frames). Same seed, same music."""
    meta = module.meta
    generator = torch.Generator().manual_seed(int(seed))
    if meta.representation == "pianoroll":
        fs = meta.frame_steps
        frames = dense(to_frames(primer, fs)[0])  # (P, 88): every voice; keys off the piano are left out
        frames = torch.cat([frames, module.sample(frames, steps, temperature, top_k or None, generator)])  # (P+S, 88)
        keys = [torch.nonzero(f).flatten().tolist() for f in frames]
        return frames_to_notes(keys, fs), (len(keys) - steps) * fs, len(keys)
    lo, hi = meta.min_pitch, meta.max_pitch
    events = to_events(fit_range(skyline(primer), lo, hi), lo, hi)  # the top voice, moved by octaves into range
    events = events + module.sample(events, steps, temperature=temperature, top_k=top_k or None, generator=generator)
    return to_notes(events, lo), len(events) - steps, len(events)


def sample_table(module, n: int = EXAMPLES, length: int = EXAMPLE_LENGTH) -> list[dict]:
    """`n` samples from nothing, `length` 16th steps each (seeds 0..n-1, temperature 1: the same draws
    every validation, so the table shows the model change), rendered as suite-predict renders them:
    {"seed", "audio" (N,) float32 at render.SAMPLE_RATE, "pianoroll" (a PIL image), "abc" (its top voice)}."""
    meta = module.meta
    bar = steps_per_bar(meta.numerator, meta.denominator)
    fs = meta.frame_steps if meta.representation == "pianoroll" else 1
    steps = -(-length // fs)  # time steps: events, or frames of fs 16th steps
    voice = " (top voice)" if meta.representation == "pianoroll" else ""
    out = []
    for seed in range(n):
        notes, _, _ = generate(module, [], steps, seed=seed)
        out.append({"seed": seed, "audio": synthesize(to_midi(notes)),
                    "pianoroll": pianoroll_image(notes, 0, bar, steps * fs),
                    "abc": abc_text(skyline(notes), meta.numerator, meta.denominator, f"seed {seed}{voice}")})
    return out
