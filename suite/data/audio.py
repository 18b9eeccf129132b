"""Audio I/O: read with soundfile, mix down to mono, resample. Every failure is one AudioError line.

Training datasets catch AudioError and skip the file (counted); suite-predict lets it end the
run with its one line. Silence counts as unreadable: it has no transcript to learn or predict.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
import torch
import torchaudio.functional as AF

from suite.errors import UserError

# What libsndfile decodes and speech corpora ship; lower case, matched case-blind.
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg")
SILENCE_PEAK = 1e-4  # a peak below -80 dBFS holds no speech; such files are rejected as silent

_FILE_HINT = "is it a real WAV, FLAC or OGG file?"  # the usual fix when the bytes are the problem
_PATH_HINT = "check the path"  # the usual fix when there are no bytes at all


class AudioError(UserError):
    """An audio file that cannot be used; one line naming the file and why."""

    def __init__(self, path, reason: str | None = None, hint: str = _FILE_HINT):
        self.path, self.reason, self.hint = str(path), reason, hint
        if reason is None:  # AudioError(message): how torch's DataLoader re-raises worker errors
            super().__init__(str(path))
            return
        reason = " ".join(str(reason).split())  # one line, whatever libsndfile put in the text
        super().__init__(f"cannot read audio '{path}': {reason} ({hint})")

    def __reduce__(self):  # pickles across DataLoader worker processes with its fields intact
        return (type(self), (self.path, self.reason, self.hint))


def _check_path(path: Path) -> None:
    if not path.exists():
        raise AudioError(path, "no such file", _PATH_HINT)
    if path.is_dir():
        raise AudioError(path, "it is a directory, not a file", _PATH_HINT)
    if path.stat().st_size == 0:
        raise AudioError(path, "the file is empty (0 bytes)")


def audio_duration(path) -> float:
    """Seconds of audio from the file header alone (fast: used to bucket whole datasets)."""
    return audio_header(path)[0]


def audio_header(path) -> tuple[float, int]:
    """(seconds, sample rate) from the file header alone."""
    path = Path(path)
    _check_path(path)
    try:
        info = sf.info(str(path))
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError) as e:
        raise AudioError(path, str(e) or type(e).__name__) from e
    if info.frames <= 0 or info.samplerate <= 0:
        raise AudioError(path, "it holds no samples (zero length)")
    return info.frames / info.samplerate, int(info.samplerate)


def load_audio(path, sample_rate: int) -> torch.Tensor:
    """Mono float32 waveform (N,) at `sample_rate`, or AudioError saying why not."""
    path = Path(path)
    _check_path(path)
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)  # (N, C)
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError, TypeError) as e:
        raise AudioError(path, str(e) or type(e).__name__) from e
    if data.shape[0] == 0:
        raise AudioError(path, "it holds no samples (zero length)")
    mono = data.mean(axis=1)  # (N,) channels mixed down with equal weight
    if not np.isfinite(mono).all():
        raise AudioError(path, "it holds NaN or infinite samples")
    if np.abs(mono).max() < SILENCE_PEAK:
        raise AudioError(path, "it is silent (peak below -80 dBFS)", "give a recording with speech")
    wave = torch.from_numpy(np.ascontiguousarray(mono))
    if rate != sample_rate:
        wave = AF.resample(wave, int(rate), int(sample_rate))  # (N * sample_rate / rate,)
    return wave
