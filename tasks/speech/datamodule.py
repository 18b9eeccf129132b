"""Speech data: reader by data name -> utterances with character targets -> frame-budget batches.

Audio is decoded per item in the loader (soundfile, resampled to the model's sample rate, mixed
to mono; the log says once which rates are resampled); the model computes log-mel features from
the waveform. Training items may be speed-perturbed (`data.speed_perturb`); evaluation never is.
Unreadable files become `Skipped` and are counted by the module; data.strict=true makes them fatal.
"""
from __future__ import annotations

import logging

import torch
import torchaudio
from torch.utils.data import DataLoader, Dataset

from suite.data.audio import AudioError, load_audio
from suite.data.datamodule import SuiteDataModule
from suite.data.loader_options import loader_kwargs
from suite.data.skips import Skipped, drop_skipped
from suite.data.splits import Splits
from suite.errors import UserError
from tasks.speech import readers
from tasks.speech.meta import SpeechMeta
from tasks.speech.sampler import FrameBudgetSampler
from tasks.speech.synthetic import generate_digits
from tasks.speech.text import Chars, ctc_min_frames, normalise

log = logging.getLogger(__name__)
FRAMES_PER_SECOND = 100  # the sampler's budget counts 10 ms feature frames
MAX_WORDS = 200_000  # training words kept for an n-gram LM's lexicon


def _digits(data: dict):
    return generate_digits(data["root"], n_train=data["n_train"], n_val=data["n_val"], n_test=data["n_test"],
                           seed=data.get("seed", 0))


def read_splits(data: dict) -> Splits:
    name, strict = data["name"], bool(data.get("strict", False))
    if name == "spoken_digits":
        root = _digits(data)  # cached: generate() wrote it, this finds it
        return readers.read_manifests(root / "train.jsonl", root / "val.jsonl", root / "test.jsonl", strict=strict)
    if name == "audio_manifest":
        return readers.read_manifests(data["train"], data.get("val"), data.get("test"),
                                      val_fraction=data["val_fraction"], seed=data["seed"], strict=strict)
    if name == "librispeech":
        return readers.read_librispeech(data["root"], data["train_sets"], data.get("val_sets"),
                                        data.get("test_sets"), val_fraction=data["val_fraction"], seed=data["seed"],
                                        strict=strict)
    raise UserError(f"unknown speech data '{name}': use data=spoken_digits, librispeech or audio_manifest")


def speed_factors(value) -> list[float] | None:
    """data.speed_perturb checked: null/empty (off) or a list of positive speed factors."""
    if not value:
        return None
    try:
        factors = [float(f) for f in value]
    except (TypeError, ValueError):
        factors = []
    if not factors or not all(0.5 <= f <= 2.0 for f in factors):
        raise UserError(f"data.speed_perturb={value} is not a list of speed factors between 0.5 and 2: "
                        "use e.g. data.speed_perturb=[0.9,1.0,1.1], or null to turn it off")
    return factors


class AudioDataset(Dataset):
    """Items decode their audio on access; an unreadable file gives `Skipped` (or raises when strict).

    `speed`: factors to draw one from per access (training only), e.g. [0.9, 1.0, 1.1]: Kaldi-style speed
    perturbation (tempo and pitch together), which varies speaking rate and vocal-tract length for free.
    """

    def __init__(self, items: list[dict], sample_rate: int, strict: bool, speed: list[float] | None = None):
        self.items, self.sample_rate, self.strict = items, sample_rate, strict
        self.speed = torchaudio.transforms.SpeedPerturbation(sample_rate, list(speed)) if speed else None

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
        if self.speed is not None:
            wave, _ = self.speed(wave)  # (N / factor,); a random factor each epoch
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


class SpeechDataModule(SuiteDataModule):
    meta_type = SpeechMeta
    path_keys = ("root", "train", "val", "test")
    item_kind = "utterances"

    def generate(self) -> None:
        if self.data["name"] == "spoken_digits":  # rank 0 generates; the other ranks find it cached
            _digits(self.data)

    def read(self) -> Splits:
        splits = read_splits(self.data)
        rate = self.meta.sample_rate if self.meta is not None else int(self.data["sample_rate"])  # the model's
        note = readers.resampling_note(splits, rate)
        if note:
            splits.notes.append(note)
        return splits

    def build_meta(self, train: list[readers.Utterance]) -> SpeechMeta:
        texts = [normalise(u.text) for u in train]
        return SpeechMeta(data=self.data, chars=Chars.build(texts),
                          words=sorted({w for t in texts for w in t.split()})[:MAX_WORDS],
                          sample_rate=int(self.data["sample_rate"]))

    def encode(self, utts: list[readers.Utterance], split: str) -> list[dict]:
        max_seconds, train = float(self.data["max_duration"]), split == "train"
        items, too_long = [], 0
        for i, u in enumerate(utts):
            if train and u.duration > max_seconds:
                too_long += 1  # one long utterance would blow the frame budget of its batch
                continue
            ref = normalise(u.text)
            target = self.meta.chars.encode(ref)
            items.append({"audio": u.audio, "duration": u.duration, "ref": ref, "target": target,
                          "min_frames": ctc_min_frames(target), "id": i})
        if too_long:
            log.warning("skipped %d training utterances longer than data.max_duration=%gs", too_long, max_seconds)
        if train:
            log.info("speech training audio: %.2f h; %d characters", sum(it["duration"] for it in items) / 3600,
                     len(self.meta.chars))
        return items

    def length(self, item: dict) -> int:
        return max(1, int(item["duration"] * FRAMES_PER_SECOND))  # 10 ms frames, known before decoding

    def collate(self, items: list) -> dict:
        return collate(items)

    def loader(self, split: str, train: bool) -> DataLoader:
        """Batches under a frame budget (not a fixed size), sharded by rank by the sampler itself."""
        d, items = self.data, self.items[split]
        sampler = FrameBudgetSampler([self.length(it) for it in items], int(d["batch_frames"]),
                                     max_batch_size=int(d["max_batch_size"]), shuffle=train, seed=int(d.get("seed", 0)))
        dataset = AudioDataset(items, self.meta.sample_rate, bool(d.get("strict", False)),
                               speed=speed_factors(d.get("speed_perturb")) if train else None)  # eval: as recorded
        return DataLoader(dataset, batch_sampler=sampler, collate_fn=self.collate, **loader_kwargs(d))
