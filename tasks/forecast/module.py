"""Forecast LightningModule: a causal LSTM/GRU/RNN reads a window relative to its last value; its
last state predicts the next `horizon` steps as changes from that value (level-free, so a trend
needs no extrapolation).

Scores MAE, RMSE, sMAPE (original units) beside the naive and seasonal-naive baselines, and writes a
forecast-versus-actual PNG into the run dir (and to W&B) after each validation and the test.
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from pytorch_lightning.loggers import WandbLogger
from torch import nn

from suite.module import SuiteModule
from suite.nn.cells import RNNS, check_cell
from suite.nn.gradient_probe import stepwise_states
from tasks.forecast.meta import ForecastMeta
from tasks.forecast.plot import save_forecast_plot
from tasks.forecast.windows import errors, naive, seasonal_naive, summarise

KINDS = ("model", "naive", "seasonal_naive")  # every metric is logged for each: mae, mae_naive, ...


class ForecastNet(nn.Module):
    def __init__(self, *, cell: str, hidden_size: int, num_layers: int, dropout: float, horizon: int):
        super().__init__()
        self.rnn = RNNS[check_cell(cell)](1, hidden_size, num_layers=num_layers, batch_first=True,
                                          dropout=dropout if num_layers > 1 else 0.0)
        self.head = nn.Linear(hidden_size, horizon)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Scaled window (B, W) -> (forecast (B, horizon), states (B, W, H)).

        The net sees the window relative to its last value, so a level never seen in training (a
        trend carries test data past the train range) looks like any other window."""
        last = x[:, -1:]  # (B, 1)
        states, _ = self.rnn((x - last).unsqueeze(-1))  # (B, W, 1) -> (B, W, H)
        return last + self.head(states[:, -1]), states  # (B, horizon)


class ForecastModule(SuiteModule):
    task_name = "forecast"
    item_kind = "windows"
    meta_type = ForecastMeta

    def __init__(self, model: dict, meta: ForecastMeta | dict):
        super().__init__(model, meta)
        self.net = ForecastNet(cell=model["cell"], hidden_size=model["hidden_size"], num_layers=model["num_layers"],
                               dropout=model["dropout"], horizon=self.meta.horizon)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scaled window (B, W) -> scaled forecast (B, horizon)."""
        return self.net(x)[0]

    def forecast(self, raw: torch.Tensor) -> torch.Tensor:
        """Raw window(s) (B, W) in original units -> forecast (B, horizon) in original units."""
        scaler = self.meta.scaler
        return scaler.unscale(self(scaler.scale(raw.double()).float()).double()).float()

    def sequence_outputs(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """(loss, states (B, W, H)) for callbacks=gradient_flow: the head reads only the last state,
        so d loss / d h_t for earlier t is what flows back through the recurrence."""
        x = batch["x"]
        last = x[:, -1:]  # (B, 1)
        outs, states = stepwise_states(self.net.rnn, (x - last).unsqueeze(-1))  # (B, W, H) twice
        return F.mse_loss(last + self.net.head(outs[:, -1]), batch["y"]), states

    def training_step(self, batch: dict, batch_idx: int):
        loss = F.mse_loss(self(batch["x"]), batch["y"])  # scaled units: every series trains alike
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        return loss

    # --- evaluation ----------------------------------------------------------------------------
    def eval_batch(self, batch: dict, stage: str) -> tuple[torch.Tensor, list[dict]]:
        pred_scaled = self(batch["x"])  # (B, horizon)
        loss = F.mse_loss(pred_scaled, batch["y"])
        pred = self.meta.scaler.unscale(pred_scaled.double()).float()  # (B, horizon), original units
        x, horizon = batch["x_raw"], self.meta.horizon  # (B, W)
        guesses = {"model": pred, "naive": naive(x, horizon),
                   "seasonal_naive": seasonal_naive(x, horizon, self.meta.season)}  # each (B, horizon)
        columns = {kind: guess.tolist() for kind, guess in guesses.items()}
        rows = [{"id": t, "actual": actual, **{kind: columns[kind][k] for kind in KINDS}}
                for k, (t, actual) in enumerate(zip(batch["ids"], batch["y_raw"].tolist()))]
        return loss, rows

    def score(self, rows: list[dict], stage: str) -> dict[str, float]:
        actual = torch.tensor([r["actual"] for r in rows], dtype=torch.float64)  # (N, horizon)
        metrics = {}
        for kind in KINDS:
            sums = errors(torch.tensor([r[kind] for r in rows], dtype=torch.float64), actual)
            suffix = "" if kind == "model" else f"_{kind}"
            summary = summarise({k: float(v) for k, v in sums.items()})
            metrics.update({f"{name}{suffix}": value for name, value in summary.items()})
        return metrics

    def example(self, row: dict) -> dict:
        return {"t": row["id"], "actual": row["actual"][0], "forecast_1": row["model"][0]}

    def on_scored(self, rows: list[dict], stage: str) -> None:
        if not self.trainer.is_global_zero or self.trainer.sanity_checking:
            return
        rows = sorted(rows, key=lambda r: r["id"])  # time order
        path = Path(self.trainer.default_root_dir) / f"forecast_{stage}.png"
        save_forecast_plot([r["id"] for r in rows], [r["actual"][0] for r in rows], [r["model"][0] for r in rows],
                           [r["model"][-1] for r in rows], [r["seasonal_naive"][0] for r in rows], self.meta.horizon,
                           path, f"{stage}: forecast vs actual (epoch {self.current_epoch})")
        for logger in self.trainer.loggers:
            if isinstance(logger, WandbLogger):
                logger.log_image(f"{stage}/forecast_plot", [str(path)], step=self.global_step)
