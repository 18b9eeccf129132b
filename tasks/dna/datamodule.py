"""DNA data: a reader by data name -> records -> base indices + targets -> padded batches; the
label map (binary / multi-class / multi-label) is the metadata; the k-mer baseline is fitted here."""
from __future__ import annotations

import logging
from functools import cached_property

import numpy as np
import torch

from suite.data.datamodule import SuiteDataModule
from suite.data.splits import Splits
from suite.errors import UserError
from tasks.dna import N_INDEX, DnaMeta, readers
from tasks.dna.synthetic import generate_grammar

log = logging.getLogger(__name__)

LABEL_TYPES = ("binary", "multiclass", "multilabel")
_LOOKUP = np.full(256, N_INDEX, dtype=np.uint8)
for _i, _b in enumerate(b"ACGT"):
    _LOOKUP[_b] = _i


def to_indices(seq: str, max_length: int) -> torch.Tensor:
    """A/C/G/T/N text -> (L,) uint8 base indices; a longer sequence keeps its centre."""
    if len(seq) > max_length:
        cut = (len(seq) - max_length) // 2
        seq = seq[cut:cut + max_length]
    return torch.from_numpy(_LOOKUP[np.frombuffer(seq.encode("ascii"), dtype=np.uint8)].copy())


def positive_first(labels: set[str]) -> list[str]:
    """Binary classes as [negative, positive]: '1'/'+'/'pos'/... is the positive one when present."""
    ordered = sorted(labels)
    pos = next((x for x in ordered if x.lower() in readers.TRUE), ordered[-1])
    return [x for x in ordered if x != pos] + [pos]


def carve(records: list, fraction: float, seed: int) -> tuple[list, list]:
    """(rest, carved): a seeded carve, stratified by label when every label has two records."""
    from sklearn.model_selection import train_test_split

    if fraction <= 0 or len(records) < 4:
        return records, []
    labels = [str(r.label) for r in records]
    strata = labels if min(labels.count(x) for x in set(labels)) >= 2 else None
    try:
        rest, carved = train_test_split(records, test_size=fraction, random_state=seed, stratify=strata)
    except ValueError:  # too few records per label for that fraction
        rest, carved = train_test_split(records, test_size=fraction, random_state=seed)
    return list(rest), list(carved)


class DnaDataModule(SuiteDataModule):
    meta_type = DnaMeta
    item_kind = "sequences"
    length_key = "seq"  # bucket by sequence length
    path_keys = ("root", "train", "val", "test", "labels", "reference")

    # --- reading -------------------------------------------------------------------------------
    def generate(self) -> None:
        if self.data["name"] == "synthetic_grammar":
            self._synthetic_root()

    def _synthetic_root(self):
        d = self.data
        return generate_grammar(d["root"], n_train=d["n_train"], n_val=d["n_val"], n_test=d["n_test"],
                                length=d["length"], gc=d["gc"], gap=d["gap"], mutation_rate=d["mutation_rate"],
                                labels=d["label_type"], seed=d["seed"])

    def _read_file(self, path, key: str) -> readers.Batch:
        d, strict = self.data, bool(self.data.get("strict", False))
        name = d["name"]
        if name in ("fasta", "synthetic_grammar"):
            labels = readers.read_label_table(d["labels"]) if d.get("labels") else None
            return readers.read_fasta(path, labels=labels, multilabel=d.get("label_type") == "multilabel",
                                      strict=strict, key=key)
        if name == "seq_csv":
            return readers.read_seq_csv(path, sequence_column=d["sequence_column"],
                                        label_columns=list(d["label_columns"]), id_column=d.get("id_column"),
                                        strict=strict, key=key)
        if name == "bed":
            if not d.get("reference"):
                raise UserError("data=bed needs data.reference: add data.reference=/path/to/genome.fa")
            return readers.read_bed(path, reference=d["reference"], length=int(d["length"]),
                                    label_column=int(d["label_column"]), strict=strict, key=key)
        raise UserError(f"unknown dna data '{name}': use data=synthetic_grammar, fasta, seq_csv or bed")

    def read(self) -> Splits:
        d = self.data
        files = dict(d)
        if d["name"] == "synthetic_grammar":
            root = self._synthetic_root()
            files = {s: str(root / f"{s}.fa") for s in ("train", "val", "test")}
        if not files.get("train"):
            raise UserError(f"data={d['name']} needs data.train: add data.train=/path/to/train file")
        parts = {s: self._read_file(files[s], f"data.{s}") for s in ("train", "val", "test") if files.get(s)}
        splits = {s: parts[s].records if s in parts else [] for s in ("train", "val", "test")}
        notes, seed = [], int(d.get("seed", 0))
        for s in ("val", "test"):
            if s not in parts:
                splits["train"], splits[s] = carve(splits["train"], float(d[f"{s}_fraction"]), seed)
                notes.append(f"{s} split: {len(splits[s])} sequences carved from data.train "
                             f"({d[f'{s}_fraction']:.0%}, stratified by label, seed {seed})")
        ambiguous = sum(p.ambiguous for p in parts.values())
        if ambiguous:
            notes.append(f"{ambiguous} ambiguous IUPAC letters (R, Y, K, ...) read as N")
        skipped = [x for p in parts.values() for x in p.skipped]
        return Splits(splits["train"], splits["val"], splits["test"], skipped=skipped, notes=notes)

    # --- metadata and items --------------------------------------------------------------------
    def build_meta(self, train: list) -> DnaMeta:
        if not train:
            raise UserError(f"data={self.data['name']}: no usable training sequences (see the warnings above)")
        kind = self.data.get("label_type", "auto")
        if kind == "auto":
            multi = isinstance(train[0].label, tuple)
            kind = "multilabel" if multi else "binary" if len({r.label for r in train}) == 2 else "multiclass"
        if kind not in LABEL_TYPES:
            raise UserError(f"unknown data.label_type '{kind}': use auto, {', '.join(LABEL_TYPES)}")
        if kind == "multilabel":
            names = list(self.data.get("label_columns") or []) if self.data["name"] == "seq_csv" else []
            classes = names if len(names) > 1 else sorted({x for r in train for x in r.label})
        else:
            classes = sorted({str(r.label) for r in train})
            if len(classes) < 2:
                raise UserError(f"the training data has one label only ({classes}): a classifier needs two or more")
            if kind == "binary":
                if len(classes) != 2:
                    raise UserError(f"data.label_type=binary but the training data has {len(classes)} labels "
                                    f"({', '.join(classes[:5])}): use data.label_type=multiclass")
                classes = positive_first(set(classes))
        return DnaMeta(data=self.data, label_type=kind, classes=classes)

    def target(self, label):
        """A record's label -> its target (None when the label is unknown to the model)."""
        classes = self.meta.classes
        if self.meta.label_type == "multilabel":
            names = label if isinstance(label, tuple) else (label,)
            return None if set(names) - set(classes) else [float(c in names) for c in classes]
        if str(label) not in classes:
            return None
        return float(str(label) == classes[1]) if self.meta.label_type == "binary" else classes.index(str(label))

    def encode(self, records: list, split: str) -> list[dict]:
        max_length, items, unknown = int(self.data["max_length"]), [], 0
        for r in records:
            target = self.target(r.label)
            if target is None:
                unknown += 1
                continue
            items.append({"id": r.id, "seq": to_indices(r.seq, max_length), "target": target})
        if unknown:
            log.warning("skipped %d %s sequences whose label the training split does not have", unknown, split)
        return items

    def collate(self, items: list[dict]) -> dict:
        return collate(items, self.meta.label_type)

    # --- the k-mer baseline --------------------------------------------------------------------
    @cached_property
    def kmer_accuracy(self) -> dict[str, float]:
        """Accuracy of k-mer counts -> logistic regression (fitted on train) on val and test."""
        return fit_kmer_baseline(self.items, self.meta.label_type, int(self.data["kmer_k"]))


def collate(items: list[dict], label_type: str) -> dict:
    lengths = torch.tensor([len(it["seq"]) for it in items])  # (B,)
    seq = torch.full((len(items), int(lengths.max())), N_INDEX, dtype=torch.uint8)  # (B, L), padded with N
    for i, it in enumerate(items):
        seq[i, :len(it["seq"])] = it["seq"]
    dtype = torch.long if label_type == "multiclass" else torch.float32
    return {"seq": seq, "lengths": lengths, "target": torch.tensor([it["target"] for it in items], dtype=dtype),
            "ids": [it["id"] for it in items], "size": len(items)}


def kmer_counts(seqs: list[torch.Tensor], k: int) -> np.ndarray:
    """(N, 4^k) k-mer frequencies per sequence, a k-mer and its reverse complement counted as one
    (the labels do not depend on the strand); windows holding an N are left out."""
    rc = np.zeros(4 ** k, dtype=np.int64)
    for code in range(4 ** k):  # the reverse complement's code of every k-mer
        digits = [(code >> (2 * j)) & 3 for j in range(k)]  # last base first
        rc[code] = sum((3 - d) << (2 * (k - 1 - j)) for j, d in enumerate(digits))
    canonical = np.minimum(np.arange(4 ** k), rc)
    out = np.zeros((len(seqs), 4 ** k), dtype=np.float32)
    for i, s in enumerate(seqs):
        x = s.numpy().astype(np.int64)
        if len(x) < k:
            continue
        windows = np.lib.stride_tricks.sliding_window_view(x, k)  # (L-k+1, k)
        ok = (windows < N_INDEX).all(1)
        codes = (windows[ok] << (2 * np.arange(k - 1, -1, -1))).sum(1)
        out[i] = np.bincount(canonical[codes], minlength=4 ** k) / max(ok.sum(), 1)
    return out


def fit_kmer_baseline(items: dict[str, list], label_type: str, k: int) -> dict[str, float]:
    """Logistic regression on k-mer frequencies, fitted on train; accuracy on val and test (for
    multi-label data, the mean per-label accuracy)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    train = items["train"]
    y = np.array([it["target"] for it in train])
    if len(train) < 2 or len(np.unique(y, axis=0)) < 2:
        return {}
    classifier = LogisticRegression(max_iter=500, C=0.1)  # C: the data are few next to 4^k features
    model = make_pipeline(StandardScaler(), OneVsRestClassifier(classifier) if label_type == "multilabel"
                          else classifier)
    model.fit(kmer_counts([it["seq"] for it in train], k), y)
    scores = {}
    for split in ("val", "test"):
        if items.get(split):
            pred = model.predict(kmer_counts([it["seq"] for it in items[split]], k))
            truth = np.array([it["target"] for it in items[split]])
            scores[split] = float((pred == truth).mean())
    return scores
