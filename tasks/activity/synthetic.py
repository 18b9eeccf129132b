"""The built-in activity data `moving_shapes`: short clips whose class is a motion over time.

One target shape moves left / right / up / down, grows, shrinks, rotates clockwise or
counter-clockwise about a pivot at one end (like a clock hand, so its turning shows at 32 px),
bounces (goes one way, then back) or stands still, among 1-2 distractor shapes that only jitter
in place; colours, sizes, start positions, speeds and the background
vary, and every pixel carries noise. Every shape is chiral (triangle, L, arrow), so any of them
can be the one that rotates. No single frame reveals the class, and an average over frames
cannot tell left from right, growing from shrinking or clockwise from counter-clockwise: only a
model that keeps the order of the frames can.

Written once as real .avi files in the `video_folder` layout ({train,val,test}/<class>/*.avi),
so the real reader and the PyAV decoding path read them.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from suite.data.generated import build_once
from suite.data.video import write_video

GENERATOR_VERSION = 3  # bump when the motions or the rendering change: stale caches regenerate
MARKER = "moving_shapes.json"  # written last by the builder: the classes and the settings

CLASSES = ("bounce", "grow", "move_down", "move_left", "move_right", "move_up", "rotate_ccw", "rotate_cw",
           "shrink", "still")  # sorted, as the video_folder reader orders its class folders

SHAPES = {  # unit polygons (x right, y down), none symmetric under a rotation or a mirror
    "triangle": [(1.0, 0.0), (-0.7, 0.55), (-0.7, -0.25)],
    "l_shape": [(-0.8, -1.0), (-0.2, -1.0), (-0.2, 0.4), (0.8, 0.4), (0.8, 1.0), (-0.8, 1.0)],
    "arrow": [(1.0, 0.0), (0.1, 0.8), (0.1, 0.3), (-1.0, 0.3), (-1.0, -0.3), (0.1, -0.3), (0.1, -0.6)],
}
COLOURS = ((220, 40, 40), (40, 170, 60), (40, 90, 230), (240, 210, 30), (150, 50, 200), (30, 200, 210))
_GREYS = ((30, 90), (150, 215))  # dark or light background, picked 50/50
_NOISE_STD = 6.0  # per-pixel noise: no two frames are identical, even of a still clip
_JITTER = 0.8  # px: distractors (and a still target) wobble in place, with no net motion
_SPLITS = ("train", "val", "test")  # also the per-clip seed's split code (0, 1, 2)


def _target_path(cls: str, rng: np.random.Generator, frames: int, size: int):
    """Per-frame (x, y, radius, angle in degrees) of the target for motion class `cls`."""
    t = np.arange(frames, dtype=np.float64)
    u = t / (frames - 1)  # 0 -> 1 over the clip
    r = np.full(frames, rng.uniform(0.17, 0.22) * size)  # large enough that its turning is visible at 32 px
    angle = np.full(frames, rng.uniform(0, 360))
    x = np.full(frames, rng.uniform(0.3, 0.7) * size)
    y = np.full(frames, rng.uniform(0.3, 0.7) * size)
    if cls.startswith("move_"):
        travel = rng.uniform(0.3, 0.45) * size  # distance covered over the clip
        sign = 1 if cls in ("move_right", "move_down") else -1
        start = rng.uniform(r[0], size - r[0] - travel)  # keeps the whole path inside the frame
        along = start + travel * u if sign > 0 else size - start - travel * u
        x, y = (along, y) if cls in ("move_left", "move_right") else (x, along)
    elif cls == "bounce":  # out and back along a random direction, turning mid-clip
        turn = rng.uniform(0.35, 0.65)
        leg = rng.uniform(0.25, 0.35) * size
        offset = leg * np.where(u < turn, u / turn, (1 - u) / (1 - turn) * rng.uniform(0.6, 1.0))
        direction = rng.integers(4)
        sign = 1 if direction % 2 == 0 else -1
        base = size / 2 - sign * leg / 2 + rng.uniform(-0.08, 0.08) * size
        if direction < 2:
            x = base + sign * offset
        else:
            y = base + sign * offset
    elif cls in ("grow", "shrink"):
        small, big = rng.uniform(0.07, 0.1) * size, rng.uniform(0.2, 0.26) * size
        r = small + (big - small) * (u if cls == "grow" else 1 - u)
        x = np.full(frames, rng.uniform(0.35, 0.65) * size)
        y = np.full(frames, rng.uniform(0.35, 0.65) * size)
    elif cls.startswith("rotate_"):  # like a clock hand: the shape turns about a pivot at one end
        speed = rng.uniform(14, 22) * (1 if cls == "rotate_cw" else -1)  # degrees per frame; y points down,
        angle = angle + speed * t  # so a growing angle turns clockwise on screen
        x = x + r * np.cos(np.radians(angle))  # the centre circles the pivot (x, y) at distance r
        y = y + r * np.sin(np.radians(angle))
    if cls in ("still", "grow", "shrink") or cls.startswith("rotate_"):
        x = x + rng.normal(0, _JITTER, frames)
        y = y + rng.normal(0, _JITTER, frames)
    return x, y, r, angle


def _polygon(shape: str, x: float, y: float, r: float, angle: float) -> list[tuple[float, float]]:
    a = math.radians(angle)
    c, s = math.cos(a), math.sin(a)
    return [(x + r * (px * c - py * s), y + r * (px * s + py * c)) for px, py in SHAPES[shape]]


def _colour(rng: np.random.Generator, avoid=None) -> tuple[int, int, int]:
    choices = [c for c in COLOURS if c != avoid]
    base = np.array(choices[rng.integers(len(choices))])
    return tuple(int(v) for v in np.clip(base + rng.integers(-20, 21, 3), 0, 255))


def render_clip(cls: str, rng: np.random.Generator, frames: int = 16, size: int = 64) -> np.ndarray:
    """One clip of motion class `cls` -> (T, S, S, 3) uint8."""
    names = list(SHAPES)
    grey = rng.uniform(*_GREYS[rng.integers(2)])
    background = np.clip(grey + rng.uniform(-15, 15, 3), 0, 255)
    target = (names[rng.integers(3)], _colour(rng))
    distractors = []
    for _ in range(rng.integers(1, 3)):
        distractors.append((names[rng.integers(3)], _colour(rng), rng.uniform(0.15, 0.85, 2) * size,
                            rng.uniform(0.14, 0.2) * size, rng.uniform(0, 360)))
    tx, ty, tr, ta = _target_path(cls, rng, frames, size)
    front = rng.random() < 0.5  # the target passes in front of or behind the distractors
    out = np.empty((frames, size, size, 3), dtype=np.uint8)
    for f in range(frames):
        img = Image.new("RGB", (size, size), tuple(int(v) for v in background))
        draw = ImageDraw.Draw(img)
        if not front:
            draw.polygon(_polygon(target[0], tx[f], ty[f], tr[f], ta[f]), fill=target[1])
        for shape, colour, (dx, dy), dr, da in distractors:
            jx, jy = rng.normal(0, _JITTER, 2)
            draw.polygon(_polygon(shape, dx + jx, dy + jy, dr, da), fill=colour)
        if front:
            draw.polygon(_polygon(target[0], tx[f], ty[f], tr[f], ta[f]), fill=target[1])
        out[f] = np.asarray(img)
    noisy = out + _NOISE_STD * rng.standard_normal(out.shape, dtype=np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def _build(tmp: Path, counts: dict[str, int], frames: int, size: int, seed: int) -> None:
    for code, split in enumerate(_SPLITS):
        for i in range(counts[split]):
            cls = CLASSES[i % len(CLASSES)]  # balanced classes
            rng = np.random.default_rng([seed, code, i])
            write_video(tmp / split / cls / f"{cls}_{i:05d}.avi", render_clip(cls, rng, frames, size), fps=8)
    (tmp / MARKER).write_text(json.dumps({"classes": list(CLASSES), "frames": frames, "size": size}))


def generate_moving_shapes(root, *, n_train: int, n_val: int, n_test: int, frames: int = 16, size: int = 64,
                           seed: int = 0) -> Path:
    """Write the clips once into `root` (video_folder layout); later calls reuse them."""
    counts = {"train": n_train, "val": n_val, "test": n_test}
    params = {"version": GENERATOR_VERSION, **counts, "frames": frames, "size": size, "seed": seed}
    return build_once(root, params, lambda tmp: _build(tmp, counts, frames, size, seed), marker=MARKER)
