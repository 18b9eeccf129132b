"""Scenes of the synthetic `shapes` data, and captions read back into scenes: relation accuracy.

BLEU cannot see a relation error: "a red circle above a blue square" and "a blue square above a
red circle" share most of their n-grams. Here a caption is parsed with the shapes grammar
(`synthetic.describe`) into the scene it states, its objects (size, colour, shape) in reading
order along an axis, and compared with the scene the generator drew:

  relation_acc  fraction of images whose caption states exactly the drawn scene: the same
                objects with the same attributes, in the same order, along the same axis
                (one object: just that object). An unparseable caption counts as wrong.
  object_acc    fraction of images whose caption names exactly the drawn objects (as a
                multiset), whatever order and axis it puts them in.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from suite.data.vocab import caption_tokens
from tasks.captioning.synthetic import COLOURS, SHAPES, SIZES

Object = tuple[str, str, str]  # (size, colour, shape)


@dataclass(frozen=True)
class Scene:
    objects: tuple[Object, ...]  # in reading order: left to right, or top to bottom
    arrangement: str  # "single", "horizontal" or "vertical"

    @classmethod
    def from_json(cls, image: dict) -> "Scene":
        """A scene as the generator stores it beside an image of dataset_shapes.json."""
        return cls(tuple((o["size"], o["colour"], o["shape"]) for o in image["objects"]), image["arrangement"])

    def as_objects(self) -> list[dict]:
        """The objects as `synthetic.describe` takes them."""
        return [{"size": s, "colour": c, "shape": k} for s, c, k in self.objects]


def read_scenes(json_path: str | Path) -> dict[str, Scene]:
    """image id (the file name's stem, as the Karpathy reader names it) -> its scene; {} when the
    file's images carry no scene (a real Karpathy file)."""
    images = json.loads(Path(json_path).read_text())["images"]
    return {Path(im["filename"]).stem: Scene.from_json(im) for im in images
            if "objects" in im and "arrangement" in im}


# --- the grammar, read backwards --------------------------------------------------------------
_OBJ = r"a ({}) ({}) ({})".format(*("|".join(map(re.escape, words)) for words in (SIZES, COLOURS, SHAPES)))
_START = r"(?:there is )?"
# relation words -> (axis, whether the first-named object comes first in reading order)
_PAIR = {"to the left of": ("horizontal", True), "to the right of": ("horizontal", False),
         "above": ("vertical", True), "below": ("vertical", False)}
_ROW = {"left to right": ("horizontal", True), "right to left": ("horizontal", False),
        "top to bottom": ("vertical", True), "bottom to top": ("vertical", False)}
_SINGLE_RE = re.compile(f"{_START}{_OBJ}")
_PAIR_RE = re.compile(f"{_START}{_OBJ} ({'|'.join(_PAIR)}) {_OBJ}")
_ROW_RE = re.compile(f"{_START}{_OBJ} {_OBJ} and {_OBJ} from ({'|'.join(_ROW)})")


def parse_caption(caption: str) -> Scene | None:
    """The scene a caption of the shapes grammar states (None: not a sentence of the grammar).

    Punctuation is ignored (captions are tokenised as coco-caption does, so "," is gone)."""
    text = " ".join(caption_tokens(caption))
    if m := _SINGLE_RE.fullmatch(text):
        return Scene((m.groups(),), "single")
    if m := _PAIR_RE.fullmatch(text):
        g = m.groups()  # 3 words, the relation, 3 words
        axis, forward = _PAIR[g[3]]
        first, second = tuple(g[0:3]), tuple(g[4:7])
        return Scene((first, second) if forward else (second, first), axis)
    if m := _ROW_RE.fullmatch(text):
        g = m.groups()  # 3 x 3 words, then the direction
        axis, forward = _ROW[g[9]]
        named = (tuple(g[0:3]), tuple(g[3:6]), tuple(g[6:9]))
        return Scene(named if forward else named[::-1], axis)
    return None


def relation_metrics(captions: Sequence[str], scenes: Sequence[Scene]) -> dict[str, float]:
    """{"relation_acc", "object_acc"} (fractions 0-1, see the module docstring) of one caption per scene."""
    if len(captions) != len(scenes):
        raise ValueError(f"got {len(captions)} captions for {len(scenes)} scenes: pass one caption per scene")
    if not scenes:
        return {"relation_acc": 0.0, "object_acc": 0.0}
    parsed = [parse_caption(c) for c in captions]
    relation = sum(p == s for p, s in zip(parsed, scenes))
    objects = sum(p is not None and Counter(p.objects) == Counter(s.objects) for p, s in zip(parsed, scenes))
    return {"relation_acc": relation / len(scenes), "object_acc": objects / len(scenes)}
