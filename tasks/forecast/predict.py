"""suite-predict for forecast: input=CSV (the checkpoint's column) -> the next `horizon` steps."""
from __future__ import annotations

import torch
from omegaconf import DictConfig

from suite.errors import UserError
from tasks.forecast.readers import read_csv_series


def predict(module, cfg: DictConfig) -> list[dict]:
    """One result: {"input", "text", "forecast": [floats], "horizon"}; past the model's horizon the
    forecasts are fed back in as inputs (recursive multi-step forecasting)."""
    meta = module.meta
    column, window = meta.column, meta.window
    series = read_csv_series(cfg.input, column, key="input")
    horizon = int(cfg.horizon) if cfg.get("horizon") is not None else meta.horizon
    if horizon < 1:
        raise UserError(f"horizon={horizon}: forecast at least one step (or horizon=null for the model's"
                        f" {meta.horizon})")
    if len(series.values) < window:
        raise UserError(f"{cfg.input} has {len(series.values)} values in '{column}', the model reads the last"
                        f" {window}: give a longer series")
    history = torch.tensor(series.values, dtype=torch.float32)  # (N,)
    out: list[float] = []
    with torch.no_grad():
        while len(out) < horizon:
            step = module.forecast(history[-window:].unsqueeze(0))[0]  # (1, W) -> (model horizon,)
            out += step.tolist()
            history = torch.cat([history, step])
    out = [round(v, 4) for v in out[:horizon]]
    return [{"input": str(cfg.input), "text": " ".join(f"{v:g}" for v in out), "forecast": out,
             "horizon": horizon, "column": column}]
