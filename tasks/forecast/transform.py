"""What the network sees of a window, and the exact way back to original units.

A raw window (B, W) and its targets (B, H) pass, in order, through
  1. log (`data.log`): multiplicative seasonality and growth become additive;
  2. seasonal differencing (`data.seasonal_diff`): each step minus the step one season earlier, so
     the window becomes its W - season year-on-year changes and a zero forecast *is* seasonal naive;
  3. centring (`data.center`): minus the window's last value, its mean, the train mean (`train`) or
     nothing (`none`);
  4. scaling (`data.scale`): divided by the train standard deviation (`train`) or the window's own
     (`window`, floored at a tenth of the train one so a flat window does not blow up).
The train statistics are those of the series after steps 1-2, fitted on the train part only.
`decode` undoes 4-3-2-1 exactly: a forecast step past one season reads back the earlier
forecast steps it was differenced against, so every metric is in original units.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from suite.errors import UserError

CENTERS = ("last", "mean", "train", "none")
SCALES = ("train", "window")
WINDOW_SCALE_FLOOR = 0.1  # x the train std: a nearly flat window must not turn its targets into huge numbers


@dataclass(frozen=True)
class Context:
    """Per-window state `decode` needs: the log-level window, the centre and the scale, each (B, ...)."""
    level: torch.Tensor  # (B, W) after the log, before differencing
    center: torch.Tensor  # (B, 1)
    scale: torch.Tensor  # (B, 1)


@dataclass(frozen=True)
class WindowTransform:
    log: bool
    seasonal_diff: bool
    season: int
    center: str
    scale: str
    mean: float  # train mean of the series after log / differencing
    std: float  # train std of the same

    def __post_init__(self):
        if self.center not in CENTERS:
            raise UserError(f"data.center={self.center} is not one of {', '.join(CENTERS)}: pick one of them")
        if self.scale not in SCALES:
            raise UserError(f"data.scale={self.scale} is not one of {', '.join(SCALES)}: pick one of them")

    # --- the series-wide part (1-2) ----------------------------------------------------------
    def level(self, raw: torch.Tensor, where: str = "the window") -> torch.Tensor:
        """Step 1 on any tensor of raw values (float64 out)."""
        raw = raw.double()
        if not self.log:
            return raw
        if bool((raw <= 0).any()):
            bad = float(raw[raw <= 0].flatten()[0])
            raise UserError(f"data.log=true needs positive values, but {where} holds {bad:g}: give a positive series "
                            f"(or train with data.log=false)")
        return raw.log()

    def differenced(self, level: torch.Tensor) -> torch.Tensor:
        """Step 2 along the last axis: (..., T) -> (..., T - season) when seasonal_diff, else unchanged."""
        s = self.season
        return level[..., s:] - level[..., :-s] if self.seasonal_diff else level

    @classmethod
    def fit(cls, train: torch.Tensor, *, log: bool, seasonal_diff: bool, season: int, center: str,
            scale: str) -> "WindowTransform":
        """Train statistics of the train part (N,) after steps 1-2."""
        probe = cls(log, seasonal_diff, season, center, scale, 0.0, 1.0)
        t = probe.differenced(probe.level(train, "the train part"))  # (N,) or (N - season,)
        std = float(t.std()) if t.numel() > 1 else 0.0
        return cls(log, seasonal_diff, season, center, scale, float(t.mean()) if t.numel() else 0.0,
                   std if std > 1e-12 else 1.0)  # a constant series still scales

    # --- windows -------------------------------------------------------------------------------
    def encode(self, raw: torch.Tensor) -> tuple[torch.Tensor, Context]:
        """Raw windows (B, W) -> network inputs (B, W') float64 (W' = W - season when differencing)."""
        level = self.level(raw)  # (B, W)
        z = self.differenced(level)  # (B, W')
        if self.center == "last":
            c = z[:, -1:]  # (B, 1)
        elif self.center == "mean":
            c = z.mean(dim=1, keepdim=True)
        else:  # train: the train mean; none: zero (with differencing, a zero forecast is seasonal naive)
            c = torch.full_like(z[:, :1], self.mean if self.center == "train" else 0.0)
        if self.scale == "window" and z.size(1) > 1:
            s = z.std(dim=1, keepdim=True).clamp_min(WINDOW_SCALE_FLOOR * self.std)  # (B, 1)
        else:
            s = torch.full_like(z[:, :1], self.std)
        ctx = Context(level, c, s)
        return (z - c) / s, ctx

    def encode_targets(self, raw: torch.Tensor, ctx: Context) -> torch.Tensor:
        """Raw targets (B, H) of the windows in ctx -> what the network should output (B, H) float64."""
        y = self.level(raw, "the targets")  # (B, H)
        if self.seasonal_diff:
            full = torch.cat([ctx.level, y], dim=1)  # (B, W + H)
            w, s = ctx.level.size(1), self.season
            y = full[:, w:] - full[:, w - s:full.size(1) - s]  # step w + h minus step w + h - s
        return (y - ctx.center) / ctx.scale

    def decode(self, out: torch.Tensor, ctx: Context) -> torch.Tensor:
        """Network outputs (B, H) -> forecasts (B, H) in original units (float64)."""
        y = out.double() * ctx.scale + ctx.center  # (B, H) changes (differencing) or levels
        if self.seasonal_diff:
            full, s = ctx.level, self.season  # (B, W), grows by one forecast step at a time
            for h in range(y.size(1)):  # step h adds to the level one season before it (maybe a forecast)
                full = torch.cat([full, y[:, h:h + 1] + full[:, full.size(1) - s:full.size(1) - s + 1]], dim=1)
            y = full[:, ctx.level.size(1):]
        return y.exp() if self.log else y
