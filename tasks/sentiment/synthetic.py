"""The built-in sentiment data `synthetic_reviews`: short movie reviews whose label needs word order.

Written once as {train,val,test}.csv (columns text,label) so the real `text_csv` reader loads it.
Every review holds positive and negative words in about equal measure, so counting words fails
(a bag-of-words classifier stays near 60%, see tests/unit/test_sentiment_synthetic.py); the
label follows from structure:
- negation flips a clause: "the plot was not bad" is positive, "i did not enjoy the cast" negative;
- contrast: "A, but B" takes B's side; "although A, B" takes B's; "B, although A" takes B's, so
  the clause that decides is first or last depending on the connective;
- "not only good but also great": both halves agree and the "not" negates nothing;
- "i expected the plot to be great , but it was not": the closing words decide;
- intensifiers ("very", "truly") and neutral sentences ("i saw it on sunday .") are noise.
No val or test review is a training review (nor a test review a val one): a short review drawn
again for a held-out split is redrawn from its own seeded generator, so accuracy measures reading,
not memory (about 5% of them repeated a training review before).
"""
from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from suite.data.generated import build_once
from suite.errors import UserError

GENERATOR_VERSION = 2  # bump when the grammar changes: stale caches regenerate
MARKER = "reviews.json"  # written into every generated dataset; describes the grammar
LABELS = {1: "positive", -1: "negative"}

ASPECTS = ("the acting", "the plot", "the script", "the soundtrack", "the ending", "the cast", "the dialogue",
           "the camera work", "the pacing", "this film", "the movie", "the story", "the direction", "the effects",
           "the lead actor", "the humour", "the final act", "the score")
LINKS = ("was", "is", "felt", "seemed", "looked")
GOOD = ("good", "great", "excellent", "wonderful", "brilliant", "superb", "enjoyable", "charming", "moving",
        "clever", "fun", "beautiful", "gripping", "solid", "fresh", "touching")
BAD = ("bad", "awful", "terrible", "boring", "dull", "weak", "poor", "clumsy", "tedious", "bland", "lifeless",
       "messy", "predictable", "silly", "flat", "forgettable")
LIKE = ("loved", "enjoyed", "liked", "adored", "admired")  # "i loved the plot"
DISLIKE = ("hated", "disliked", "loathed", "resented", "regretted")
LIKE_BASE = {"loved": "love", "enjoyed": "enjoy", "liked": "like", "adored": "adore", "admired": "admire",
             "hated": "hate", "disliked": "dislike", "loathed": "loathe", "resented": "resent",
             "regretted": "regret"}
INTENSIFIERS = ("very", "really", "extremely", "truly", "quite", "so", "incredibly", "rather")
NEUTRAL = ("i watched it last night .", "it runs about two hours .", "my friend recommended it .",
           "i saw it on sunday .", "the cinema was full .", "it is based on a novel .",
           "we went with the whole family .", "it came out last year .", "i had read the reviews first .")
# construction -> share of reviews; "double" = two clauses of the same polarity
CONSTRUCTIONS = {"single": 0.12, "but": 0.22, "although_first": 0.13, "although_last": 0.13, "not_only": 0.1,
                 "expected": 0.14, "double": 0.16}
_P_NEGATE = 0.4  # negation is frequent, so the model must read it, not guess its absence
_P_INTENSIFY = 0.3
_P_NEUTRAL = 0.4  # a neutral sentence before or after the review
_MAX_REDRAWS = 1000  # a held-out review repeats an earlier split's ~5% of the time: a few draws suffice


def _clause(rng: random.Random, polarity: int) -> str:
    """A clause with this polarity; negated about _P_NEGATE of the time (with an opposite word)."""
    negate = rng.random() < _P_NEGATE
    word_polarity = -polarity if negate else polarity
    if rng.random() < 0.3:  # "i (did not) love the plot"
        verb = rng.choice(LIKE if word_polarity > 0 else DISLIKE)
        aspect = rng.choice(ASPECTS)
        if negate:
            return f"i {rng.choice(('did not', 'never', 'did not really'))} {LIKE_BASE[verb]} {aspect}"
        return f"i {verb} {aspect}"
    adj = rng.choice(GOOD if word_polarity > 0 else BAD)
    intens = f"{rng.choice(INTENSIFIERS)} " if rng.random() < _P_INTENSIFY else ""
    neg = f"{rng.choice(('not', 'never', 'not at all', 'hardly'))} " if negate else ""
    return f"{rng.choice(ASPECTS)} {rng.choice(LINKS)} {neg}{intens}{adj}"


def review(rng: random.Random) -> tuple[str, str]:
    """(text, label) of one random review."""
    polarity = rng.choice((1, -1))
    kind = rng.choices(tuple(CONSTRUCTIONS), weights=tuple(CONSTRUCTIONS.values()))[0]
    if kind == "single":
        text = _clause(rng, polarity) + " ."
    elif kind == "but":  # the clause after "but" decides
        text = f"{_clause(rng, -polarity)} , but {_clause(rng, polarity)} ."
    elif kind == "although_first":  # "although A , B": B decides
        text = f"although {_clause(rng, -polarity)} , {_clause(rng, polarity)} ."
    elif kind == "although_last":  # "B , although A": B decides, and it comes first
        text = f"{_clause(rng, polarity)} , although {_clause(rng, -polarity)} ."
    elif kind == "not_only":  # "not only good but also great": no negation at all
        a, b = rng.sample(GOOD if polarity > 0 else BAD, 2)
        text = f"{rng.choice(ASPECTS)} {rng.choice(LINKS)} not only {a} but also {b} ."
    elif kind == "expected":  # "i expected it to be great , but it was not": the last words decide
        met = rng.random() < 0.5
        adj = rng.choice(GOOD if (polarity > 0) == met else BAD)
        end = "and it was" if met else rng.choice(("but it was not", "but it was not at all"))
        text = f"i expected {rng.choice(ASPECTS)} to be {adj} , {end} ."
    else:
        text = f"{_clause(rng, polarity)} . {_clause(rng, polarity)} ."
    if rng.random() < _P_NEUTRAL:
        filler = rng.choice(NEUTRAL)
        text = f"{filler} {text}" if rng.random() < 0.5 else f"{text} {filler}"
    return text, LABELS[polarity]


def split_reviews(params: dict) -> dict[str, list[tuple[str, str]]]:
    """(text, label) rows of each split; review k of a split comes from its own seeded generator,
    which draws again while the text is already in an earlier split (train, then val), so val and
    test share no text with train, nor test with val."""
    seen: set[str] = set()
    out = {}
    for split in ("train", "val", "test"):
        rows = []
        for k in range(params[f"n_{split}"]):
            rng = random.Random(f"{params['seed']}/{split}/{k}")
            row, draws = review(rng), 1
            while row[0] in seen:
                if draws == _MAX_REDRAWS:
                    raise UserError(f"synthetic_reviews: no {split} review unlike the earlier splits' in "
                                    f"{_MAX_REDRAWS} draws: lower data.n_train")
                row, draws = review(rng), draws + 1
            rows.append(row)
        seen.update(text for text, _ in rows)
        out[split] = rows
    return out


def _write(out: Path, params: dict) -> None:
    for split, rows in split_reviews(params).items():
        with open(out / f"{split}.csv", "w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["text", "label"])
            writer.writerows(rows)
    (out / MARKER).write_text(json.dumps({"constructions": CONSTRUCTIONS, "labels": sorted(LABELS.values())},
                                         indent=1) + "\n", encoding="utf-8")


def generate_reviews(root: str | Path, *, n_train: int = 10000, n_val: int = 1000, n_test: int = 1000,
                     seed: int = 0) -> Path:
    """Write root/{train,val,test}.csv once (cached via build_once) and return root."""
    params = {"n_train": n_train, "n_val": n_val, "n_test": n_test, "seed": seed, "version": GENERATOR_VERSION}
    if min(n_val, n_test, seed) < 0 or n_train < 1:
        raise UserError(f"synthetic_reviews needs n_train >= 1 and n_val/n_test/seed >= 0; got {params}")
    return build_once(root, params, lambda out: _write(out, params), marker=MARKER)
