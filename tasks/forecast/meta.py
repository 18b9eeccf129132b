"""What a forecast model carries from its training data: the train-only statistics, the transform
options they belong to, and the window geometry (history read, steps forecast, season), plus the
column it forecasts."""
from __future__ import annotations

from dataclasses import dataclass

from suite.meta import Meta
from tasks.forecast.transform import WindowTransform


@dataclass(frozen=True)
class Scaler:
    """Mean and std of the train part after the log / seasonal differencing (WindowTransform.fit):
    val/test must not leak into the model's inputs."""
    mean: float
    std: float

    @classmethod
    def from_dict(cls, d: dict) -> "Scaler":
        return cls(float(d["mean"]), float(d["std"]))

    def to_dict(self) -> dict:
        return {"mean": self.mean, "std": self.std}


@dataclass(kw_only=True)
class ForecastMeta(Meta):
    scaler: Scaler  # fitted on the train part of the series (after log / differencing)
    window: int  # steps of history the model reads
    horizon: int  # steps it forecasts at once (the size of its head)
    season: int  # period the seasonal-naive baseline (and seasonal differencing) looks back
    column: str  # the CSV column it was trained on: suite-predict reads the same one
    # the transform's options (tasks/forecast/transform.py); the defaults are what checkpoints
    # written before these options existed did
    log: bool = False
    seasonal_diff: bool = False
    center: str = "last"
    scale: str = "train"

    def transform(self) -> WindowTransform:
        return WindowTransform(log=self.log, seasonal_diff=self.seasonal_diff, season=self.season,
                               center=self.center, scale=self.scale, mean=self.scaler.mean, std=self.scaler.std)
