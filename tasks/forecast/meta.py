"""What a forecast model carries from its training data: the train-only scaler and the window
geometry (history read, steps forecast, season of the baselines), plus the column it forecasts."""
from __future__ import annotations

from dataclasses import dataclass

import torch

from suite.meta import Meta


@dataclass(frozen=True)
class Scaler:
    """Standardisation with train statistics only: val/test must not leak into the model's inputs."""
    mean: float
    std: float

    @classmethod
    def fit(cls, train: torch.Tensor) -> "Scaler":
        t = train.double()  # (N,)
        std = float(t.std()) if t.numel() > 1 else 0.0
        return cls(float(t.mean()), std if std > 1e-12 else 1.0)  # a constant series still scales

    @classmethod
    def from_dict(cls, d: dict) -> "Scaler":
        return cls(float(d["mean"]), float(d["std"]))

    def to_dict(self) -> dict:
        return {"mean": self.mean, "std": self.std}

    def scale(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.mean) / self.std

    def unscale(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.std + self.mean


@dataclass(kw_only=True)
class ForecastMeta(Meta):
    scaler: Scaler  # fitted on the train part of the series
    window: int  # steps of history the model reads
    horizon: int  # steps it forecasts at once (the size of its head)
    season: int  # period the seasonal-naive baseline looks back
    column: str  # the CSV column it was trained on: suite-predict reads the same one
