"""A synthetic "regulatory grammar": the label depends on the order and spacing of two motifs.

Background: i.i.d. bases at a fixed GC content. All but a few sequences carry two motif sites, so
counting k-mers can hardly tell the classes apart:
  positive        motif A, then motif B `gap` (+-2) bases after it
  wrong order     B then A at the same gap
  wrong spacing   A then B, but far too close or far too apart
  decoy           the same motif twice (AA or BB): as many motif k-mers, on average, as a positive
  background      no motif at all (a few negatives: motif detectors get a first signal to learn from)
The whole sequence is reverse-complemented for half of the records (either strand), and motif
sites are mutated at `mutation_rate` per base. Written as {train,val,test}.fa with `label=` headers
so that the FASTA reader reads it; built once into the cache (suite.data.generated).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from suite.data.generated import build_once
from suite.errors import UserError

VERSION = 4  # bump when the generator changes: the cache regenerates (4: multilabel targets)
BASES = np.array(list("ACGT"))
MOTIF_A, MOTIF_B = "TGATTCAG", "CCAATGGT"  # neither is its own reverse complement
NAMES = {MOTIF_A: "motif_a", MOTIF_B: "motif_b"}  # the multilabel targets (with "grammar")
KINDS = ("positive", "wrong_order", "wrong_spacing", "decoy", "background")
SHARES = (0.5, 0.133, 0.133, 0.114, 0.12)  # half positive; backgrounds give the motif detectors a first
# signal to learn from (with 4% of them DanQ sat at chance for 1000 steps), few enough that k-mers stay near chance


def _site(rng: np.random.Generator, motif: str, rate: float) -> np.ndarray:
    site = np.array(list(motif))
    hit = rng.random(len(site)) < rate
    site[hit] = rng.choice(BASES, hit.sum())
    return site


def sequence(rng: np.random.Generator, kind: str, *, length: int, gc: float, gap: int, rate: float) -> tuple[str, set]:
    """One sequence of the given kind -> (text, the motif names it carries: 'motif_a', 'motif_b')."""
    probs = [(1 - gc) / 2, gc / 2, gc / 2, (1 - gc) / 2]  # A C G T
    seq = rng.choice(BASES, length, p=probs)
    first, second, spacing = MOTIF_A, MOTIF_B, gap + int(rng.integers(-2, 3))
    if kind == "wrong_order":
        first, second = MOTIF_B, MOTIF_A
    elif kind == "wrong_spacing":  # at least 14 bp off the true spacing, either way
        spacing = int(rng.integers(0, max(gap - 14, 1))) if rng.random() < 0.3 else int(rng.integers(gap + 14, gap + 70))
    elif kind == "decoy":
        first = second = MOTIF_A if rng.random() < 0.5 else MOTIF_B
    span = len(first) + spacing + len(second)
    if kind == "background":
        span = 0
    start = int(rng.integers(0, length - span + 1))
    if span:
        seq[start:start + len(first)] = _site(rng, first, rate)
        seq[start + len(first) + spacing:start + span] = _site(rng, second, rate)
    text = "".join(seq)
    if rng.random() < 0.5:  # the other strand
        text = text.translate(str.maketrans("ACGT", "TGCA"))[::-1]
    carried = set() if not span else {NAMES[m] for m in (first, second)}
    return text, carried


def labels_of(kind: str, carried: set, labels: str):
    """The header label: binary 1/0, the kind (multiclass), or the comma-joined targets a sequence
    carries (multilabel: motif_a, motif_b, and grammar for the right order and spacing; empty for a
    background, which the FASTA reader reads as no target)."""
    if labels == "binary":
        return int(kind == "positive")
    if labels == "multilabel":
        return ",".join(sorted(carried | ({"grammar"} if kind == "positive" else set())))
    return kind


def _write(path: Path, rng: np.random.Generator, n: int, split: str, p: dict) -> None:
    kinds = rng.choice(KINDS, n, p=SHARES)
    with open(path, "w") as f:
        for i, kind in enumerate(kinds):
            seq, carried = sequence(rng, kind, length=p["length"], gc=p["gc"], gap=p["gap"], rate=p["mutation_rate"])
            label = labels_of(kind, carried, p["labels"])
            f.write(f">{split}{i} label={label} kind={kind}\n{seq}\n")


def generate_grammar(root, *, n_train: int, n_val: int, n_test: int, length: int, gc: float, gap: int,
                     mutation_rate: float, labels: str, seed: int) -> Path:
    """Write root/{train,val,test}.fa (once per parameter set); returns root."""
    params = dict(version=VERSION, n_train=n_train, n_val=n_val, n_test=n_test, length=length, gc=gc, gap=gap,
                  mutation_rate=mutation_rate, labels=labels, seed=seed)
    if length < gap + 90:  # the widest wrong spacing (gap + 70) and both motifs must fit
        raise UserError(f"data.length={length} is too short for data.gap={gap}: use data.length >= {gap + 90}")

    def build(tmp: Path) -> None:
        rng = np.random.default_rng(seed)
        for split, n in (("val", n_val), ("test", n_test), ("train", n_train)):  # train last: the marker
            _write(tmp / f"{split}.fa", rng, n, split, params)

    return build_once(root, params, build, marker="train.fa")
