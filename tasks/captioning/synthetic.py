"""The built-in captioning data `shapes`: coloured shapes whose captions name their layout.

Rendered once into the Karpathy `dataset_<name>.json` layout, so the real-format reader loads
it unchanged. Each image holds 1-3 objects ("<size> <colour> <shape>") in a row or a column,
and its 2-3 reference captions come from `describe`. BLEU barely sees a layout error (naming
the right objects in a random order along a random axis keeps most n-grams), so the scene is
stored beside each image and `scenes.py` parses captions back to score relation accuracy.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from suite.data.generated import build_once
from suite.errors import UserError

GENERATOR_VERSION = 1  # bump when the grammar or the rendering changes: stale caches regenerate
NAME = "shapes"  # the Karpathy "dataset" name, hence the file dataset_shapes.json

SHAPES = ("circle", "square", "triangle", "diamond")  # outlines that stay distinct at 8 px
COLOURS = {  # saturated and far apart in hue, so none is confused with the grey background
    "red": (220, 40, 40),
    "green": (40, 170, 60),
    "blue": (40, 90, 230),
    "yellow": (240, 210, 30),
    "purple": (150, 50, 200),
}
SIZES = {  # extent as a fraction of the image side; a 1.6x gap keeps the classes apart
    "small": (8 / 64, 10 / 64),
    "large": (16 / 64, 18 / 64),  # 3 large + 2 gaps + margins must still fit one row
}
ARRANGEMENTS = ("single", "horizontal", "vertical")  # 2-3 objects lie in a row or a column

_SUPERSAMPLE = 4  # draw at 4x, box-downsample: anti-aliased edges keep 8 px shapes legible
_MARGIN = 1 / 64  # border left free, so no object is cut by the frame
_GAP = 3 / 64  # least empty space between neighbours along the axis: order is unambiguous
_PAIR_SLOPE = 0.5  # two objects: off-axis offset <= half the on-axis distance
_ROW_JITTER = 2.5 / 64  # three objects: off-axis wobble, small enough to read as a line
_GREYS = ((35, 85), (165, 215))  # dark or light background grey, picked 50/50
_COLOUR_JITTER = 20  # +- per channel on each object: exact RGB values carry no signal
_NOISE_STD = 5.0  # per-pixel noise: the background is never a flat colour
_SPLITS = ("train", "val", "test")  # also the per-image seed's split code (0, 1, 2)


def describe(objects: Sequence[Mapping[str, str]], arrangement: str) -> list[str]:
    """The reference captions of a scene (the grammar).

    `objects` are mappings with "size", "colour", "shape", in reading order: left to right
    for "horizontal", top to bottom for "vertical"; one object needs "single".
    """
    names = [f"{o['size']} {o['colour']} {o['shape']}" for o in objects]
    if len(names) == 1 and arrangement == "single":
        return [f"a {names[0]}", f"there is a {names[0]}"]
    if arrangement not in ("horizontal", "vertical") or len(names) not in (2, 3):
        raise ValueError(f"no caption for {len(names)} objects arranged {arrangement!r}")
    across = arrangement == "horizontal"
    if len(names) == 2:
        a, b = names
        fwd, back = ("to the left of", "to the right of") if across else ("above", "below")
        return [f"a {a} {fwd} a {b}", f"a {b} {back} a {a}", f"there is a {a} {fwd} a {b}"]
    a, b, c = names
    fwd, back = ("left to right", "right to left") if across else ("top to bottom", "bottom to top")
    return [f"a {a} , a {b} and a {c} from {fwd}", f"a {c} , a {b} and a {a} from {back}"]


def _place(rng: np.random.Generator, extents: np.ndarray, side: int) -> np.ndarray:
    """Centres (n, 2) as (along, across): increasing along the axis, with clear gaps."""
    n, lo, hi = len(extents), side * _MARGIN, side * (1 - _MARGIN)
    if n == 1:  # anywhere inside the margins
        return lo + extents[:, None] / 2 + rng.uniform(size=(1, 2)) * (hi - lo - extents[:, None])
    # Free length along the axis, split among the n+1 spaces uniformly over all layouts.
    slack = (hi - lo) - extents.sum() - (n - 1) * side * _GAP
    spaces = rng.dirichlet(np.ones(n + 1)) * slack  # (n+1,)
    spaces[1:n] += side * _GAP
    along = lo + np.cumsum(spaces[:n]) + np.cumsum(extents) - extents / 2  # (n,)
    lo_c, hi_c = lo + extents / 2, hi - extents / 2  # (n,) allowed centre range across
    if n == 2:  # one object offset from the other by at most half their distance
        d = rng.uniform(-1, 1) * _PAIR_SLOPE * (along[1] - along[0])
        base_lo, base_hi = max(lo_c[0], lo_c[1] - d), min(hi_c[0], hi_c[1] - d)
        across = rng.uniform(base_lo, base_hi) + np.array([0.0, d])  # (2,)
    else:  # a line: a common centre plus a small wobble each
        jit = side * _ROW_JITTER
        base = rng.uniform(lo_c.max() + jit, hi_c.min() - jit)
        across = base + rng.uniform(-jit, jit, size=n)  # (n,)
    return np.stack([along, across], axis=1)  # (n, 2)


def _draw(draw: ImageDraw.ImageDraw, shape: str, cx: float, cy: float, r: float, rgb) -> None:
    """One filled shape of half-extent r centred on (cx, cy)."""
    if shape == "circle":
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=rgb)
    elif shape == "square":
        draw.rectangle([cx - r, cy - r, cx + r, cy + r], fill=rgb)
    elif shape == "triangle":
        draw.polygon([(cx, cy - r), (cx + r, cy + r), (cx - r, cy + r)], fill=rgb)
    else:  # diamond
        draw.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], fill=rgb)


def _make_image(rng: np.random.Generator, side: int) -> tuple[Image.Image, list[dict], str]:
    """Sample and render one scene; objects come back in reading order with their bbox."""
    n = int(rng.integers(1, 4))
    objects = [
        {"size": str(rng.choice(list(SIZES))), "colour": str(rng.choice(list(COLOURS))),
         "shape": str(rng.choice(SHAPES))}
        for _ in range(n)
    ]
    arrangement = "single" if n == 1 else ("horizontal", "vertical")[int(rng.integers(2))]
    extents = np.array([rng.uniform(*SIZES[o["size"]]) * side for o in objects])  # (n,)
    centres = _place(rng, extents, side)  # (n, 2) as (along, across)
    xy = centres[:, ::-1] if arrangement == "vertical" else centres  # (n, 2) as (x, y)

    grey = int(rng.integers(*_GREYS[int(rng.integers(2))]))
    s = _SUPERSAMPLE
    canvas = Image.new("RGB", (side * s, side * s), (grey, grey, grey))
    draw = ImageDraw.Draw(canvas)
    for o, (cx, cy), e in zip(objects, xy, extents):
        jitter = rng.integers(-_COLOUR_JITTER, _COLOUR_JITTER + 1, size=3)
        rgb = tuple(int(v) for v in np.clip(np.array(COLOURS[o["colour"]]) + jitter, 0, 255))
        _draw(draw, o["shape"], cx * s, cy * s, e * s / 2, rgb)
        o["bbox"] = [round(float(v), 2) for v in (cx - e / 2, cy - e / 2, cx + e / 2, cy + e / 2)]
    pixels = np.asarray(canvas.reduce(s), dtype=np.float64)  # (H, W, 3)
    pixels = pixels + rng.normal(0.0, _NOISE_STD, size=pixels.shape)
    image = Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8))
    return image, objects, arrangement


def _render(out: Path, params: dict) -> None:
    """Write images/ and dataset_shapes.json into `out` (a fresh directory)."""
    (out / "images").mkdir()
    images, sentid = [], 0
    for code, split in enumerate(_SPLITS):
        for k in range(params[f"n_{split}"]):
            # Seeded per (seed, split, index): val/test don't move when n_train changes.
            rng = np.random.default_rng([params["seed"], code, k])
            image, objects, arrangement = _make_image(rng, params["image_size"])
            imgid = len(images)
            filename = f"{imgid:06d}.png"
            image.save(out / "images" / filename)
            refs = describe(objects, arrangement)
            sentences = [
                {"raw": r, "tokens": r.split(), "imgid": imgid, "sentid": sentid + j}
                for j, r in enumerate(refs)
            ]
            images.append({
                "filepath": "images", "filename": filename, "split": split, "imgid": imgid,
                "sentids": [x["sentid"] for x in sentences], "sentences": sentences,
                "arrangement": arrangement, "objects": objects,  # extra keys: readers ignore
            })
            sentid += len(refs)
    (out / f"dataset_{NAME}.json").write_text(json.dumps({"dataset": NAME, "images": images}))


def generate_shapes(
    root: str | Path,
    *,
    n_train: int = 8000,  # enough scenes for a small CNN+LSTM to learn relations on a CPU
    n_val: int = 500,  # ~1.2k references: BLEU/CIDEr stable to about a point
    n_test: int = 500,  # same as val, so the two numbers are comparable
    image_size: int = 64,  # shapes stay legible; an epoch on 2 cores takes seconds
    seed: int = 0,  # fixed, so every user renders the same bytes
) -> Path:
    """Render the dataset into `root` in the Karpathy layout (once; cached); return the json path.

    Besides the Karpathy keys each image carries "arrangement" and "objects" (size, colour,
    shape, bbox [x0, y0, x1, y1] in pixels, in reading order). Safe to call from every rank.
    """
    params = {"n_train": n_train, "n_val": n_val, "n_test": n_test, "image_size": image_size,
              "seed": seed, "version": GENERATOR_VERSION}
    if image_size < 32 or min(n_train, n_val, n_test, seed) < 0 or n_train == 0:
        raise UserError(
            f"shapes needs image_size >= 32, n_train >= 1, n_val/n_test/seed >= 0; got {params}"
        )
    json_name = f"dataset_{NAME}.json"
    root = build_once(root, params, lambda out: _render(out, params), marker=json_name)
    return root / json_name
