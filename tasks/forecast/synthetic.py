"""The synthetic default: trend + seasonality + noise, written as a CSV so the real reader reads it.

The classic "[10 20 30] -> 40" window, generalised: a rising monthly series whose season repeats
every `season` steps, with noise that neither the naive nor the seasonal-naive forecast can remove
but a model that learns trend *and* season can partly see through.
"""
from __future__ import annotations

import csv
import math
from pathlib import Path

import torch

from suite.data.generated import build_once

VERSION = 1  # bump when the generator changes: cached CSVs are rebuilt
FILE = "series.csv"


def make_series(n: int, season: int, seed: int) -> list[float]:
    g = torch.Generator().manual_seed(seed)
    t = torch.arange(n, dtype=torch.float64)
    trend = 100 + 0.5 * t  # +6 a year: seasonal naive lags one season of trend behind
    phase = 2 * math.pi * t / season
    seasonal = 20 * torch.sin(phase) + 8 * torch.cos(2 * phase)  # two harmonics: not a plain sine
    noise = 3 * torch.randn(n, generator=g, dtype=torch.float64)
    return [round(v, 3) for v in (trend + seasonal + noise).tolist()]


def generate_series(root, *, n: int, season: int, seed: int) -> Path:
    """`root/series.csv` with columns date,value (monthly dates from 1950-01); returns its path."""
    def build(tmp: Path) -> None:
        with open(tmp / FILE, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["date", "value"])
            for i, v in enumerate(make_series(n, season, seed)):
                w.writerow([f"{1950 + i // 12:04d}-{i % 12 + 1:02d}", v])

    params = {"version": VERSION, "n": n, "season": season, "seed": seed}
    return build_once(root, params, build, marker=FILE) / FILE
