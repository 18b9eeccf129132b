"""Music data: pieces (synthetic, ABC, music21 corpus, MIDI folder, piano rolls) -> what the model reads.

The model decides the representation (model.representation, copied into data.representation by the
task config): `events` (melody_rnn) keeps each piece's top voice, moved by octaves into [min_pitch,
max_pitch], as 16th-step events (events.py); `pianoroll` (poly_rnn) keeps every voice as frames of
data.frame_steps 16th steps over the 88 keys (frames.py). Pieces are optionally transposed to
C major / A minor when read (data.transpose=c) and cut into chunks of at most data.max_events steps.
The baselines are computed on the same steps: the n-gram (events) is fitted on the training chunks
and each val/test chunk carries its NLL; the per-key marginal (frames) is in the metadata.
data.augment_transpose=N shifts each training chunk by a random number of semitones in [-N, N]
(within the range the model reads) every time it is batched.
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
from tasks.music.events import BOS, FIRST_PITCH_ID, PAD, MusicMeta, Piece, fit_range, skyline, to_events
from tasks.music.frames import KEYS, Marginal, dense, to_frames
from tasks.music.midi_folder import read_midi_folder
from tasks.music.ngram import NGram
from tasks.music.pianoroll_file import read_pianoroll
from tasks.music.synthetic import MARKER, generate_melodies

log = logging.getLogger(__name__)
MIN_EVENTS = 8  # a melody chunk shorter than two beats teaches nothing
REPRESENTATIONS = ("events", "pianoroll")
TRANSPOSE = ("none", "c")


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
    length_key = "seq"  # bucket by chunk length (events or frames)
    synthetic = ("synthetic_melodies", generate_melodies)  # generated once into the cache

    def __init__(self, data: dict, meta=None):
        super().__init__(data, meta)
        self.representation = str(self.data.get("representation", "events"))
        if self.representation not in REPRESENTATIONS:
            raise UserError(f"data.representation={self.representation} is not one of {', '.join(REPRESENTATIONS)}: "
                            "leave it to the model (model=melody_rnn reads events, model=poly_rnn piano rolls)")
        if str(self.data.get("transpose", "none")) not in TRANSPOSE:
            raise UserError(f"data.transpose={self.data.get('transpose')} is not one of none, c: none keeps the keys, "
                            "c moves every piece to C major / A minor")
        if int(self.data.get("frame_steps", 1)) < 1 or int(self.data.get("augment_transpose", 0)) < 0:
            raise UserError("data.frame_steps must be 1 or more (16th steps per frame) and data.augment_transpose 0 "
                            "or more (semitones)")

    # --- reading -------------------------------------------------------------------------------
    def read(self) -> Splits:
        splits = self._read()
        if self.data.get("transpose") == "c":
            for name in ("train", "val", "test"):
                setattr(splits, name, [p.to_c() for p in getattr(splits, name)])
        return splits

    def _read(self) -> Splits:
        d, strict = self.data, bool(self.data.get("strict", False))
        name = d["name"]
        if name == "synthetic_melodies":
            root = Path(str(d["root"]))
            if not (root / MARKER).is_file():
                self.generate()
            saved = json.loads((root / MARKER).read_text())
            return Splits(*([Piece.from_dict(p) for p in saved[s]] for s in ("train", "val", "test")))
        if name == "pianoroll":
            groups, skipped, notes = read_pianoroll(d["path"], strict=strict)
            where = d["path"]
        elif name == "midi_folder":
            groups, skipped = read_midi_folder(d["root"], strict=strict, track=d.get("track"))
            where, notes = d["root"], []
        elif name == "abc":
            pieces, skipped = readers.read_abc(d["path"], strict=strict)
            groups, where, notes = {"all": pieces}, d["path"], []
        elif name == "music21_corpus":
            pieces, skipped = readers.read_music21_corpus(d["collection"], d["root"], limit=d.get("limit"),
                                                          strict=strict)
            groups, where, notes = {"all": pieces}, f"music21's {d['collection']}", []
        else:
            raise UserError(f"unknown music data '{name}': use data=synthetic_melodies, abc, music21_corpus, "
                            "midi_folder or pianoroll")
        if not any(groups.values()):
            raise UserError(f"no usable pieces in {where} ({len(skipped)} skipped, e.g. "
                            f"{skipped[0][0] + ': ' + skipped[0][1] if skipped else '-'}): give files it can read")
        return self._splits(groups, skipped, notes, where)

    def _splits(self, groups: dict, skipped: list, notes: list, where: str) -> Splits:
        d = self.data
        fractions = float(d["val_fraction"]), float(d["test_fraction"])
        if "all" in groups:
            pieces = groups["all"]
            notes.append(f"{where}: {len(pieces)} pieces, val and test carved from them (seed {d['seed']})")
            return Splits(*carve(pieces, *fractions, int(d["seed"])), skipped=skipped, notes=notes)
        train, val, test = groups["train"], groups["val"], groups["test"]
        if not val:  # the data has no validation split: one carved from train
            train, val, _ = carve(train, fractions[0], 0.0, int(d["seed"]))
            notes.append(f"{where}: no validation split, {len(val)} pieces carved from train (seed {d['seed']})")
        return Splits(train, val, test, skipped=skipped, notes=notes)

    # --- metadata ------------------------------------------------------------------------------
    def build_meta(self, train: list) -> MusicMeta:
        metres = {}
        for p in train:
            metres[(p.numerator, p.denominator)] = metres.get((p.numerator, p.denominator), 0) + 1
        num, den = max(metres, key=metres.get) if metres else (4, 4)
        frame_steps = int(self.data.get("frame_steps", 1))
        marginal = []
        if self.representation == "pianoroll":
            marginal = Marginal.fit([to_frames(p.notes, frame_steps, p.steps)[0] for p in train]).probs.tolist()
        return MusicMeta(data=self.data, min_pitch=int(self.data["min_pitch"]), max_pitch=int(self.data["max_pitch"]),
                         numerator=num, denominator=den, representation=self.representation,
                         frame_steps=frame_steps, marginal=marginal)

    # --- encoding ------------------------------------------------------------------------------
    def sequence(self, piece: Piece) -> tuple[list, int]:
        """A piece as the model reads it, and the notes it lost (off the 88 keys)."""
        if self.representation == "pianoroll":
            return to_frames(piece.notes, self.meta.frame_steps, piece.steps)
        lo, hi = self.meta.min_pitch, self.meta.max_pitch
        return to_events(fit_range(skyline(piece.notes), lo, hi), lo, hi), 0

    def shift_range(self, seq: list) -> tuple[int, int]:
        """The semitone shifts in [-N, N] (data.augment_transpose) that keep a chunk in the model's range."""
        n = int(self.data.get("augment_transpose", 0))
        if self.representation == "pianoroll":
            keys = [k for frame in seq for k in frame]
            lo, hi = (min(keys), max(keys)) if keys else (0, KEYS - 1)
            return max(-n, -lo), min(n, KEYS - 1 - hi)
        pitches = [e for e in seq if e >= FIRST_PITCH_ID]
        top = FIRST_PITCH_ID + self.meta.max_pitch - self.meta.min_pitch
        lo, hi = (min(pitches), max(pitches)) if pitches else (FIRST_PITCH_ID, top)
        return max(-n, FIRST_PITCH_ID - lo), min(n, top - hi)

    def encode(self, pieces: list, split: str) -> list[dict]:
        size = int(self.data["max_events"])
        shortest = MIN_EVENTS if self.representation == "events" else 1  # every frame counts in the protocol
        chunks, bars, lost = [], [], 0
        for piece in pieces:
            seq, dropped = self.sequence(piece)
            lost += dropped
            kept = [c for c in (seq[i:i + size] for i in range(0, len(seq), size)) if len(c) >= shortest]
            chunks.extend(kept)
            bars.extend([piece.steps_per_bar] * len(kept))  # its own metre: the test statistics count its bars
        if lost:
            log.warning("%s: dropped %d notes off the piano's 88 keys (MIDI 21-108)", split, lost)
        items = [{"seq": c, "id": i, "bar": b} for i, (c, b) in enumerate(zip(chunks, bars))]
        if self.representation == "events":
            if split == "train":
                self.ngram = NGram(int(self.data["ngram_order"]), self.meta.vocab_size).fit(chunks)
            elif hasattr(self, "ngram"):
                for it in items:
                    it["ngram"] = self.ngram.nll(it["seq"])
        if split == "train" and int(self.data.get("augment_transpose", 0)):
            for it in items:
                it["shift"] = self.shift_range(it["seq"])
        if pieces and not chunks:
            log.warning("no %s piece has %d steps or more: the %s split is empty", split, shortest, split)
        return items

    # --- batches -------------------------------------------------------------------------------
    def shifted(self, item: dict) -> list:
        """The chunk moved by a random allowed number of semitones (training items with a "shift" range)."""
        if "shift" not in item or item["shift"][0] >= item["shift"][1]:
            return item["seq"]
        k = int(torch.randint(item["shift"][0], item["shift"][1] + 1, ()))  # the global, seeded generator
        if self.representation == "pianoroll":
            return [[key + k for key in frame] for frame in item["seq"]]
        return [e + k if e >= FIRST_PITCH_ID else e for e in item["seq"]]

    def collate(self, items: list[dict]) -> dict:
        seqs = [self.shifted(it) for it in items]
        batch = {"size": len(items), "ids": [it["id"] for it in items], "bars": [it["bar"] for it in items]}
        if self.representation == "pianoroll":
            lengths = torch.tensor([len(s) for s in seqs])
            y = torch.stack([dense(s, int(lengths.max())) for s in seqs])  # (B, T, 88), silent padding
            x = torch.cat([torch.zeros(len(items), 1, KEYS), y[:, :-1]], dim=1)  # (B, T, 88): the frame before
            return {**batch, "x": x, "y": y, "lengths": lengths}
        y, lengths = pad_sequences(seqs, PAD)  # (B, T), (B,)
        x = torch.cat([torch.full((len(items), 1), BOS, dtype=torch.long), y[:, :-1]], dim=1)  # (B, T) shifted
        batch.update(x=x, y=y, lengths=lengths)
        if all("ngram" in it for it in items):
            batch["ngram"] = torch.tensor([it["ngram"] for it in items], dtype=torch.float64)  # (B,)
        return batch
