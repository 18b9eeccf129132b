"""Decoded clips: decode each video once into a uint8 .npy cache, then sample frames from it.

The cache key is the file's absolute path, size and modification time plus the decode settings,
so an edited video or a new frame size decodes again and nothing stale is read. Writes go to a
temporary name and are renamed into place: loader workers and DDP ranks can share one cache.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np
import torch

from suite.data.video import read_video

CACHE_VERSION = 1  # bump when decoding changes: every cached clip is decoded again


class ClipCache:
    """`load(path)` -> (N, S, S, 3) uint8 frames, N <= max_frames spread evenly over the video."""

    def __init__(self, cache_dir, image_size: int, max_frames: int):
        self.dir = Path(cache_dir).expanduser().absolute() if cache_dir else None
        self.size, self.max_frames = int(image_size), int(max_frames)

    def _file(self, path: str) -> Path:
        st = os.stat(path)
        key = f"{CACHE_VERSION}|{os.path.abspath(path)}|{st.st_size}|{st.st_mtime_ns}|{self.size}|{self.max_frames}"
        digest = hashlib.sha1(key.encode()).hexdigest()
        return self.dir / digest[:2] / f"{digest}.npy"

    def load(self, path: str) -> np.ndarray:
        if self.dir is None:
            return read_video(path, self.size, self.max_frames)
        try:
            file = self._file(path)
        except OSError:  # vanished or unreadable: let the decoder say why in its own words
            return read_video(path, self.size, self.max_frames)
        cached = _load_cached(file)
        if cached is not None:
            return cached
        frames = read_video(path, self.size, self.max_frames)
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".npy", dir=file.parent)
        with os.fdopen(fd, "wb") as f:
            np.save(f, frames)
        os.replace(tmp, file)  # atomic: a concurrent reader sees the whole file or none
        return frames


def sample_indices(n: int, k: int, mode: str, train: bool, stride: int = 1,
                   rng: np.random.Generator | None = None) -> np.ndarray:
    """K frame indices into n decoded frames, in temporal order.

    tsn: the frames fall into K equal segments; training takes a random frame of each segment,
    evaluation its centre (TSN, Wang et al. 2016): the whole video is seen at any length.
    dense: K consecutive frames `stride` apart; training starts at a random point, evaluation
    is centred. Videos shorter than the span repeat frames (the last one for dense).
    """
    rng = rng or np.random.default_rng()
    if mode == "tsn":
        edges = np.linspace(0, n, k + 1)  # (K+1,) segment bounds, fractional when n is not a multiple of K
        if train:
            picks = edges[:-1] + rng.random(k) * (edges[1:] - edges[:-1])
        else:
            picks = (edges[:-1] + edges[1:]) / 2
        return np.minimum(picks.astype(int), n - 1)
    if mode == "dense":
        span = (k - 1) * stride + 1
        start = (rng.integers(0, max(n - span, 0) + 1) if train else max(n - span, 0) // 2)
        return np.minimum(start + stride * np.arange(k), n - 1)
    raise ValueError(f"unknown sampling '{mode}'")


def to_clip(frames: np.ndarray, indices: np.ndarray) -> torch.Tensor:
    """(N, S, S, 3) uint8 + K indices -> (K, 3, S, S) uint8 tensor (bytes cross the loader, not floats)."""
    return torch.from_numpy(np.ascontiguousarray(frames[indices])).permute(0, 3, 1, 2)  # (K, 3, S, S)


def _load_cached(file: Path) -> np.ndarray | None:
    """The cached clip, or None when there is none or it is damaged (then it is decoded again)."""
    if not file.is_file():
        return None
    try:
        return np.load(file)
    except (OSError, ValueError):
        return None
