"""Speech data: reader by data name -> utterances with character targets -> frame-budget batches.

Audio is decoded per item in the loader (soundfile, resampled to data.sample_rate, mixed to mono);
the model computes log-mel features from the waveform. Unreadable files become `Skipped` and are
counted by the module; data.strict=true makes them fatal.
"""
from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, Dataset

from suite.data.audio import AudioError, load_audio
from suite.data.loader_options import loader_kwargs
from suite.data.skips import Skipped, drop_skipped, warn_missing
from suite.data.split_loaders import SplitLoaders
from suite.errors import UserError
from tasks.speech import readers
from tasks.speech.sampler import FrameBudgetSampler
from tasks.speech.synthetic import generate_digits
from tasks.speech.text import Chars, ctc_min_frames, normalise

log = logging.getLogger(__name__)
FRAMES_PER_SECOND = 100  # the sampler's budget counts 10 ms feature frames
MAX_WORDS = 200_000  # training words kept for an n-gram LM's lexicon


def read_splits(data: dict) -> readers.Splits:
    name, strict = data["name"], bool(data.get("strict", False))
    if name == "spoken_digits":
        root = generate_digits(data["root"], n_train=data["n_train"], n_val=data["n_val"], n_test=data["n_test"],
                               seed=data.get("seed", 0))
        return readers.read_manifests(root / "train.jsonl", root / "val.jsonl", root / "test.jsonl", strict=strict)
    if name == "audio_manifest":
        return readers.read_manifests(data["train"], data.get("val"), data.get("test"),
                                      val_fraction=data["val_fraction"], seed=data["seed"], strict=strict)
    if name == "librispeech":
        return readers.read_librispeech(data["root"], data["train_sets"], data.get("val_sets"),
                                        data.get("test_sets"), val_fraction=data["val_fraction"], seed=data["seed"],
                                        strict=strict)
    raise UserError(f"unknown speech data '{name}': use data=spoken_digits, librispeech or audio_manifest")


class AudioDataset(Dataset):
    """Items decode their audio on access; an unreadable file gives `Skipped` (or raises when strict)."""

    def __init__(self, items: list[dict], sample_rate: int, strict: bool):
        self.items, self.sample_rate, self.strict = items, sample_rate, strict

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, i: int):
        item = self.items[i]
        try:
            wave = load_audio(item["audio"], self.sample_rate)  # (N,)
        except AudioError as e:
            if self.strict:
                raise
            return Skipped(item["audio"], e.reason or str(e))
        return {**item, "wave": wave}


def collate(items: list) -> dict:
    items, skipped = drop_skipped(items)
    lengths = torch.tensor([len(it["wave"]) for it in items], dtype=torch.long)  # (B,)
    wave = torch.zeros(len(items), int(lengths.max()) if items else 0)  # (B, N)
    for i, it in enumerate(items):
        wave[i, : len(it["wave"])] = it["wave"]
    targets = torch.tensor([t for it in items for t in it["target"]], dtype=torch.long)  # (sum L,)
    return {"wave": wave, "lengths": lengths, "targets": targets, "size": len(items), "skipped": skipped,
            "target_lengths": torch.tensor([len(it["target"]) for it in items], dtype=torch.long),  # (B,)
            "min_frames": torch.tensor([it["min_frames"] for it in items], dtype=torch.long),  # (B,)
            "refs": [it["ref"] for it in items], "audio": [it["audio"] for it in items],
            "ids": [it["id"] for it in items]}


class SpeechDataModule(SplitLoaders, pl.LightningDataModule):
    def __init__(self, data: dict, vocab: dict | None = None):
        super().__init__()
        self.data = data
        self.chars = Chars(vocab["itos"]) if vocab else None
        self.words = list(vocab.get("words", [])) if vocab else []
        self.items: dict[str, list[dict]] = {}

    def prepare_data(self) -> None:
        if self.data["name"] == "spoken_digits":  # rank 0 generates; the other ranks find it cached
            read_splits(self.data)

    def setup(self, stage: str | None = None) -> None:
        if self.items:
            return
        splits = read_splits(self.data)
        for note in splits.notes:
            log.info(note)
        warn_missing(splits.missing, "audio files")
        self.skipped_at_setup = len(splits.missing) + len(splits.bad)  # counted in the module's data/skipped
        if splits.bad:
            log.warning("skipped %d unreadable audio files or manifest lines, e.g. %s; set data.strict=true to "
                        "fail instead", len(splits.bad), "; ".join(f"{p} ({r})" for p, r in splits.bad[:3]))
        if self.chars is None:
            texts = [normalise(u.text) for u in splits.train]
            self.chars = Chars.build(texts)
            self.words = sorted({w for t in texts for w in t.split()})[:MAX_WORDS]
        for name in ("train", "val", "test"):
            self.items[name] = self._encode(getattr(splits, name), train=name == "train")
        hours = sum(it["duration"] for it in self.items["train"]) / 3600
        log.info("speech data: %d train (%.2f h) / %d val / %d test utterances; %d characters",
                 len(self.items["train"]), hours, len(self.items["val"]), len(self.items["test"]), len(self.chars))

    def _encode(self, utts: list[readers.Utterance], train: bool) -> list[dict]:
        max_seconds = float(self.data["max_duration"])
        items, too_long = [], 0
        for i, u in enumerate(utts):
            if train and u.duration > max_seconds:
                too_long += 1  # one long utterance would blow the frame budget of its batch
                continue
            ref = normalise(u.text)
            target = self.chars.encode(ref)
            items.append({"audio": u.audio, "duration": u.duration, "ref": ref, "target": target,
                          "min_frames": ctc_min_frames(target), "id": i})
        if too_long:
            log.warning("skipped %d training utterances longer than data.max_duration=%gs", too_long, max_seconds)
        return items

    def metadata(self) -> dict:
        data = dict(self.data)
        for key in ("root", "train", "val", "test"):  # absolute, so suite-eval works from any directory
            if isinstance(data.get(key), str) and data[key]:
                data[key] = str(Path(data[key]).expanduser().absolute())
        return {"vocab": {"itos": list(self.chars.itos), "words": self.words}, "data": data}

    @property
    def has_test(self) -> bool:
        return bool(self.items.get("test"))

    def frame_lengths(self, name: str) -> list[int]:
        return [max(1, int(it["duration"] * FRAMES_PER_SECOND)) for it in self.items[name]]

    def _loader(self, name: str, train: bool, bucket: bool = True) -> DataLoader:
        d = self.data
        sampler = FrameBudgetSampler(self.frame_lengths(name), int(d["batch_frames"]),
                                     max_batch_size=int(d["max_batch_size"]), shuffle=train, bucket=bucket,
                                     seed=int(d.get("seed", 0)))
        dataset = AudioDataset(self.items[name], int(d["sample_rate"]), bool(d.get("strict", False)))
        return DataLoader(dataset, batch_sampler=sampler, collate_fn=partial(collate), **loader_kwargs(d))


DataModule = SpeechDataModule  # the name suite.registry looks up
