"""Two captioners that fail on purpose, scored on the same val/test scenes as the model.

  image_blind   never looks at the image: every image gets the caption most frequent among the
                training references (ties: the alphabetically first), the best constant guess.
  layout_blind  sees which objects are there (size, colour, shape, taken from the scene) but not
                where: it names them in a random order along a random axis, in one of the
                grammar's paraphrases picked at random. What a model that recognises objects
                but ignores the layout would say. Seeded, so the figures never move.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from suite.data.vocab import caption_tokens
from suite.metrics import bleu_1_to_4
from tasks.captioning.scenes import Scene, relation_metrics
from tasks.captioning.synthetic import describe

SEED = 0  # one fixed draw of random layouts: the baseline is a number, not a distribution


def image_blind_caption(train_references: Sequence[str]) -> str:
    """The most frequent training reference (ties: the alphabetically first)."""
    counts = Counter(train_references)
    return min(counts, key=lambda c: (-counts[c], c))


def layout_blind_captions(scenes: Sequence[Scene], seed: int = SEED) -> list[str]:
    """One caption per scene naming its objects in a random order along a random axis."""
    rng = np.random.default_rng(seed)
    out = []
    for scene in scenes:
        objects = scene.as_objects()
        if len(objects) > 1:  # one object has no layout to get wrong
            objects = [objects[i] for i in rng.permutation(len(objects))]
            arrangement = ("horizontal", "vertical")[int(rng.integers(2))]
        else:
            arrangement = "single"
        captions = describe(objects, arrangement)
        out.append(" ".join(caption_tokens(captions[int(rng.integers(len(captions)))])))  # as references are
    return out


def baseline_metrics(train_references: Sequence[str], scenes: Sequence[Scene],
                     references: Sequence[Sequence[str]]) -> dict[str, float]:
    """relation_acc, object_acc and bleu4 of both baselines on one split, suffixed _image_blind and
    _layout_blind (bleu4 on 0-100 as the model's; references: the split's, one list per scene)."""
    guesses = {"image_blind": [image_blind_caption(train_references)] * len(scenes),
               "layout_blind": layout_blind_captions(scenes)}
    out = {}
    for name, captions in guesses.items():
        scored = {**relation_metrics(captions, scenes),
                  "bleu4": bleu_1_to_4(captions, [list(r) for r in references])["bleu4"]}
        out.update({f"{metric}_{name}": value for metric, value in scored.items()})
    return out
