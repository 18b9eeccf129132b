"""Chronological splits, sliding windows, the two baselines and the error sums."""
from __future__ import annotations

import math

import torch

from suite.errors import UserError


def split_points(n: int, val_fraction: float, test_fraction: float) -> tuple[int, int]:
    """(start of val, start of test): train first, then val, then test, in time order."""
    n_test = int(round(n * test_fraction))
    n_val = int(round(n * val_fraction))
    return n - n_val - n_test, n - n_test


def windows(values: list[float], window: int, horizon: int, start: int, end: int) -> list[tuple[int, int]]:
    """(input start, target start) of every window whose targets lie in [start, end).

    Inputs may reach back before `start` (val windows read the end of train): the model sees the
    past, never the future."""
    first = max(start, window)
    return [(t - window, t) for t in range(first, end - horizon + 1)]


def covered_steps(items: list[dict]) -> torch.Tensor:
    """The series steps a run of consecutive windows covers, once each: the first window's inputs,
    then each window's first target, then the last window's remaining targets. For the train
    windows that is the whole train part (they start at step 0 and end where val starts)."""
    return torch.cat([items[0]["x_raw"], torch.stack([it["y_raw"][0] for it in items]), items[-1]["y_raw"][1:]])


def check_lengths(n: int, window: int, horizon: int, season: int, val_start: int, test_start: int, path) -> None:
    if window < season:
        raise UserError(f"data.window={window} is shorter than data.season={season}: the seasonal-naive baseline"
                        f" and the model both need one season of history; raise data.window")
    need = window + horizon
    for name, size in (("train", val_start), ("val", test_start - val_start), ("test", n - test_start)):
        if name != "train" and size == 0:
            continue
        if (name == "train" and size < need) or size < horizon:
            raise UserError(f"{path}: the {name} part has {size} of {n} steps, too few for data.window={window} +"
                            f" data.horizon={horizon}: use a longer series or smaller window/horizon/fractions")


def naive(inputs: torch.Tensor, horizon: int) -> torch.Tensor:
    """Last observed value repeated: inputs (B, W) -> (B, horizon)."""
    return inputs[:, -1:].expand(-1, horizon)


def seasonal_naive(inputs: torch.Tensor, horizon: int, season: int) -> torch.Tensor:
    """Value one season earlier (k seasons for steps past a season): inputs (B, W) -> (B, horizon)."""
    w = inputs.size(1)
    idx = [w - season * math.ceil((h + 1) / season) + h for h in range(horizon)]  # step h is target w + h
    if min(idx) < 0:
        raise UserError(f"data.window={w} is too short for the seasonal-naive forecast of {horizon} steps with"
                        f" season {season}: raise data.window")
    return inputs[:, idx]


def errors(pred: torch.Tensor, target: torch.Tensor) -> dict[str, torch.Tensor]:
    """Sums over all elements: absolute error, squared error, sMAPE terms, and the count."""
    denom = (pred.abs() + target.abs()).clamp_min(1e-8)
    return {"abs": (pred - target).abs().sum(), "sq": ((pred - target) ** 2).sum(),
            "smape": (2 * (pred - target).abs() / denom).sum(), "n": torch.tensor(float(target.numel()))}


def summarise(sums: dict[str, float]) -> dict[str, float]:
    """MAE, RMSE (original units) and sMAPE (percent, 0-200) from summed errors."""
    n = max(sums["n"], 1.0)
    return {"mae": sums["abs"] / n, "rmse": math.sqrt(sums["sq"] / n), "smape": 100 * sums["smape"] / n}
