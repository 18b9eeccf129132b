"""suite-predict for forecast: input=CSV (the checkpoint's column) -> the next `horizon` steps."""
from __future__ import annotations

import torch
from omegaconf import DictConfig

from suite.errors import UserError
from tasks.forecast.readers import read_csv_series


def predict(module, cfg: DictConfig) -> list[dict]:
    """One result: {"input", "text", "forecast": [floats], "horizon"}; past the model's horizon the
    forecasts are fed back in as inputs (recursive multi-step forecasting)."""
    data = module.hparams["meta"]["data"]
    column = "value" if data["name"] == "synthetic_series" else data["column"]
    series = read_csv_series(cfg.input, column, key="input")
    horizon = int(cfg.horizon) if cfg.get("horizon") is not None else module.horizon
    if horizon < 1:
        raise UserError(f"horizon={horizon}: forecast at least one step (or horizon=null for the model's"
                        f" {module.horizon})")
    if len(series.values) < module.window:
        raise UserError(f"{cfg.input} has {len(series.values)} values in '{column}', the model reads the last"
                        f" {module.window}: give a longer series")
    history = torch.tensor(series.values, dtype=torch.float32)  # (N,)
    out: list[float] = []
    with torch.no_grad():
        while len(out) < horizon:
            step = module.forecast(history[-module.window:].unsqueeze(0))[0]  # (horizon,)
            out += step.tolist()
            history = torch.cat([history, step])
    out = [round(v, 4) for v in out[:horizon]]
    return [{"input": str(cfg.input), "text": " ".join(f"{v:g}" for v in out), "forecast": out,
             "horizon": horizon, "column": column}]
