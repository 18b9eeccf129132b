"""Music data: pieces (synthetic, ABC, music21 corpus) -> top-voice event sequences -> batches.

Every piece is optionally transposed to C major / A minor (data.transpose=c), reduced to its top
voice, moved by octaves into [min_pitch, max_pitch], encoded as 16th-step events (events.py) and
cut into chunks of at most data.max_events. The n-gram baseline is fitted on the training chunks
and each val/test chunk carries its n-gram NLL, so the module reports both on the same events.
"""
from __future__ import annotations

import json
import logging
import random
from pathlib import Path

import torch

from suite.data.checks import check_fractions
from suite.data.collate import pad_sequences
from suite.data.datamodule import SuiteDataModule
from suite.data.splits import Splits
from suite.errors import UserError
from tasks.music import readers
from tasks.music.events import BOS, PAD, MusicMeta, Piece, fit_range, skyline, to_events
from tasks.music.ngram import NGram
from tasks.music.synthetic import MARKER, generate_melodies

log = logging.getLogger(__name__)
MIN_EVENTS = 8  # a chunk shorter than two beats teaches nothing


def carve(pieces: list, val_fraction: float, test_fraction: float, seed: int) -> tuple[list, list, list]:
    """Seeded train/val/test split of pieces for formats that have none."""
    check_fractions(val_fraction=val_fraction, test_fraction=test_fraction)
    order = list(range(len(pieces)))
    random.Random(seed).shuffle(order)
    n_val, n_test = round(len(pieces) * val_fraction), round(len(pieces) * test_fraction)
    if len(pieces) >= 3:
        n_val, n_test = max(n_val, 1 if val_fraction else 0), max(n_test, 1 if test_fraction else 0)
    val = [pieces[i] for i in sorted(order[:n_val])]
    test = [pieces[i] for i in sorted(order[n_val:n_val + n_test])]
    train = [pieces[i] for i in sorted(order[n_val + n_test:])]
    return train, val, test


class MusicDataModule(SuiteDataModule):
    meta_type = MusicMeta
    item_kind = "pieces"
    length_key = "events"  # bucket by chunk length
    synthetic = ("synthetic_melodies", generate_melodies)  # generated once into the cache

    def read(self) -> Splits:
        d, strict = self.data, bool(self.data.get("strict", False))
        name = d["name"]
        notes = []
        if name == "synthetic_melodies":
            root = Path(str(d["root"]))
            if not (root / MARKER).is_file():
                self.generate()
            saved = json.loads((root / MARKER).read_text())
            return Splits(*([Piece.from_dict(p) for p in saved[s]] for s in ("train", "val", "test")))
        if name == "abc":
            pieces, skipped = readers.read_abc(d["path"], strict=strict)
            where = d["path"]
        elif name == "music21_corpus":
            pieces, skipped = readers.read_music21_corpus(d["collection"], d["root"], limit=d.get("limit"),
                                                          strict=strict)
            where = f"music21's {d['collection']}"
        else:
            raise UserError(f"unknown music data '{name}': use data=synthetic_melodies, abc or music21_corpus")
        if not pieces:
            raise UserError(f"no usable tunes in {where} ({len(skipped)} skipped, e.g. "
                            f"{skipped[0][0] if skipped else '-'}): give files music21 can parse")
        train, val, test = carve(pieces, float(d["val_fraction"]), float(d["test_fraction"]), int(d["seed"]))
        notes.append(f"{where}: {len(pieces)} pieces, val and test carved from them (seed {d['seed']})")
        return Splits(train, val, test, skipped=skipped, notes=notes)

    def build_meta(self, train: list) -> MusicMeta:
        metres = {}
        for p in train:
            metres[(p.numerator, p.denominator)] = metres.get((p.numerator, p.denominator), 0) + 1
        num, den = max(metres, key=metres.get) if metres else (4, 4)
        return MusicMeta(data=self.data, min_pitch=int(self.data["min_pitch"]), max_pitch=int(self.data["max_pitch"]),
                         numerator=num, denominator=den)

    def events(self, piece: Piece) -> list[int]:
        if self.data.get("transpose") == "c":
            piece = piece.to_c()
        lo, hi = self.meta.min_pitch, self.meta.max_pitch
        return to_events(fit_range(skyline(piece.notes), lo, hi), lo, hi)

    def encode(self, pieces: list, split: str) -> list[dict]:
        size = int(self.data["max_events"])
        chunks = []
        for piece in pieces:
            ev = self.events(piece)
            chunks.extend(c for c in (ev[i:i + size] for i in range(0, len(ev), size)) if len(c) >= MIN_EVENTS)
        if split == "train":
            self.ngram = NGram(int(self.data["ngram_order"]), self.meta.vocab_size).fit(chunks)
        items = [{"events": c, "id": i} for i, c in enumerate(chunks)]
        if split != "train" and hasattr(self, "ngram"):
            for it in items:
                it["ngram"] = self.ngram.nll(it["events"])
        if pieces and not chunks:
            log.warning("no %s piece has %d events or more: the %s split is empty", split, MIN_EVENTS, split)
        return items

    def collate(self, items: list[dict]) -> dict:
        y, lengths = pad_sequences([it["events"] for it in items], PAD)  # (B, T), (B,)
        x = torch.cat([torch.full((len(items), 1), BOS, dtype=torch.long), y[:, :-1]], dim=1)  # (B, T) shifted
        batch = {"x": x, "y": y, "lengths": lengths, "size": len(items), "ids": [it["id"] for it in items]}
        if all("ngram" in it for it in items):
            batch["ngram"] = torch.tensor([it["ngram"] for it in items], dtype=torch.float64)  # (B,)
        return batch
