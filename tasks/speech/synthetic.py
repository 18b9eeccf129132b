"""The built-in speech data `spoken_digits`: digit strings spoken by eSpeak NG, held-out voices.

Each utterance is 1 to 7 digits read as the words zero..nine ("three one four"), spoken by one
voice (an English accent + a voice variant) at a random rate, pitch and pitch range, with random
silence around it, background noise (white or brown, 10-35 dB SNR) and a random gain. Val and
test use voice variants that training never hears (`VAL_VARIANTS`, `TEST_VARIANTS`), so the score
measures generalising across speakers. Written once into the `audio_manifest` layout
(root/{train,val,test}.jsonl + 16 kHz WAVs under root/wav/), so the real reader reads it.
"""
from __future__ import annotations

import json
import os
import random
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
import torchaudio

from suite.data.generated import build_once
from suite.errors import UserError

GENERATOR_VERSION = 1  # bump when the generator changes: stale caches regenerate
MARKER = "voices.json"  # written into every generated dataset; lists the voices of each split
SAMPLE_RATE = 16000  # what the model hears; eSpeak NG speaks at 22050 Hz and is resampled
WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
MAX_DIGITS = 7
ACCENTS = ("en", "en-us", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-us-nyc")
TRAIN_VARIANTS = ("m1", "m2", "m3", "m5", "m6", "m8", "f1", "f2", "f4", "adam", "Andy", "Annie", "john",
                  "linda", "paul", "quincy", "steph", "travis", "victor", "zac", "edward", "benjamin",
                  "david", "rob", "klatt", "klatt3", "Gene", "Lee")
VAL_VARIANTS = ("m4", "f3", "michel", "Tweaky")  # never in train: val measures unseen speakers
TEST_VARIANTS = ("m7", "f5", "robert", "aunty")  # unseen by train and by val model selection
_SPLITS = ("train", "val", "test")


def _variants(split: str) -> tuple[str, ...]:
    return {"train": TRAIN_VARIANTS, "val": VAL_VARIANTS, "test": TEST_VARIANTS}[split]


def utterance_spec(seed: int, split: str, index: int) -> dict:
    """Everything random about one utterance, drawn from its own seed (splits don't move together)."""
    rng = random.Random(f"{seed}/{split}/{index}")
    digits = [rng.randrange(10) for _ in range(rng.randint(1, MAX_DIGITS))]
    return {
        "text": " ".join(WORDS[d] for d in digits),
        "voice": f"{rng.choice(ACCENTS)}+{rng.choice(_variants(split))}",
        "rate": rng.randint(130, 200),  # words per minute; faster speech leaves CTC too few frames
        "pitch": rng.randint(25, 75),  # eSpeak's 0-100 scale, 50 = the voice's own
        "range": rng.randint(20, 80),  # intonation: 0 monotone .. 100 lively
        "word_gap": rng.randint(0, 4),  # extra pause between words, in 10 ms units
        "lead": rng.uniform(0.05, 0.25), "tail": rng.uniform(0.05, 0.25),  # seconds of silence around
        "noise": rng.choice(("white", "brown")), "snr_db": rng.uniform(10, 35),
        "gain_db": rng.uniform(-15, 3),  # quiet and loud recordings; per-utterance norm copes
        "noise_seed": rng.randrange(2**31),
    }


_SPEAKER = None  # one eSpeak NG per worker process: the C library is global state
_RESAMPLE = None  # its sinc kernel is built once per process, not once per utterance


def _init_worker(own_process: bool = True) -> None:
    global _SPEAKER, _RESAMPLE
    from tasks.speech.espeak import Speaker

    if own_process:
        torch.set_num_threads(1)  # the pool already runs one worker per core
    _SPEAKER = Speaker()
    _RESAMPLE = torchaudio.transforms.Resample(_SPEAKER.sample_rate, SAMPLE_RATE)


def _moving_average(x: np.ndarray, width: int) -> np.ndarray:
    c = np.concatenate([[0.0], np.cumsum(x)])  # (N + 1,)
    lo = np.clip(np.arange(len(x)) - width // 2, 0, len(x))
    hi = np.clip(np.arange(len(x)) + width // 2 + 1, 0, len(x))
    return ((c[hi] - c[lo]) / (hi - lo)).astype(np.float32)  # (N,)


def render(spec: dict) -> np.ndarray:
    """Float32 mono samples at SAMPLE_RATE for one utterance spec (needs _init_worker in this process)."""
    if _SPEAKER is None:
        _init_worker(own_process=False)
    pcm = _SPEAKER.say(spec["text"], spec["voice"], rate=spec["rate"], pitch=spec["pitch"],
                       pitch_range=spec["range"], word_gap=spec["word_gap"])
    with torch.no_grad():
        speech = _RESAMPLE(torch.from_numpy(pcm.astype(np.float32) / 32768.0)).numpy()  # (N,) at SAMPLE_RATE
    lead, tail = (np.zeros(int(spec[k] * SAMPLE_RATE), np.float32) for k in ("lead", "tail"))
    wave = np.concatenate([lead, speech, tail])  # (N',)
    rng = np.random.default_rng(spec["noise_seed"])
    noise = rng.standard_normal(len(wave)).astype(np.float32)
    if spec["noise"] == "brown":  # integrated white noise: rumble, energy at low frequencies
        noise = np.cumsum(noise)
        noise -= _moving_average(noise, 401)  # keep it from drifting away (a high-pass at ~40 Hz)
    power = lambda x: float(np.mean(x**2)) + 1e-12  # noqa: E731
    noise *= np.sqrt(power(speech) / power(noise) / 10 ** (spec["snr_db"] / 10))
    wave = (wave + noise) * 10 ** (spec["gain_db"] / 20)
    return np.clip(wave, -1.0, 1.0).astype(np.float32)


def _make(job: tuple[str, dict]) -> float:
    path, spec = job
    wave = render(spec)
    sf.write(path, wave, SAMPLE_RATE, subtype="PCM_16")
    return len(wave) / SAMPLE_RATE


def _write(out: Path, params: dict, workers: int) -> None:
    specs = {s: [utterance_spec(params["seed"], s, i) for i in range(params[f"n_{s}"])] for s in _SPLITS}
    jobs = []
    for split, rows in specs.items():
        (out / "wav" / split).mkdir(parents=True)
        jobs += [(str(out / "wav" / split / f"{i:06d}.wav"), spec) for i, spec in enumerate(rows)]
    if workers <= 1:  # tiny sets: a pool's start-up costs more than it saves
        durations = iter([_make(job) for job in jobs])
    else:
        with get_context("spawn").Pool(workers, initializer=_init_worker) as pool:  # spawn: no forked C state
            durations = iter(pool.map(_make, jobs, chunksize=64))
    for split, rows in specs.items():
        lines = [json.dumps({"audio": f"wav/{split}/{i:06d}.wav", "text": spec["text"],
                             "duration": round(next(durations), 3), "voice": spec["voice"]})
                 for i, spec in enumerate(rows)]
        (out / f"{split}.jsonl").write_text("".join(ln + "\n" for ln in lines), encoding="utf-8")
    voices = {s: sorted({spec["voice"] for spec in rows}) for s, rows in specs.items()}
    (out / MARKER).write_text(json.dumps(voices, indent=1) + "\n", encoding="utf-8")


def generate_digits(root: str | Path, *, n_train: int = 3000, n_val: int = 200, n_test: int = 200, seed: int = 0,
                    workers: int | None = None) -> Path:
    """Write root/{train,val,test}.jsonl + root/wav/ once (cached via build_once) and return root."""
    params = {"n_train": n_train, "n_val": n_val, "n_test": n_test, "seed": seed, "version": GENERATOR_VERSION}
    if min(n_val, n_test, seed) < 0 or n_train < 1:
        raise UserError(f"spoken_digits needs n_train >= 1 and n_val/n_test/seed >= 0; got {params}")
    total = n_train + n_val + n_test
    workers = workers or (1 if total < 300 else min(4, os.cpu_count() or 1))
    return build_once(root, params, lambda out: _write(out, params, workers), marker=MARKER)
