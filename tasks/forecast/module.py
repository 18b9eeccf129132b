"""Forecast LightningModule: a causal LSTM/GRU/RNN reads a window as the train-only transform
presents it (tasks/forecast/transform.py: relative to its last value by default, optionally logged
and seasonally differenced); its last state predicts the next `horizon` steps in the same terms,
and the transform's exact inverse brings them back to original units.

Scores MAE, RMSE, sMAPE (original units) beside the naive and seasonal-naive baselines on the same
windows, and writes a forecast-versus-actual PNG into the run dir (and to W&B) after each
validation and the test.
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
    def __init__(self, *, cell: str, hidden_size: int, num_layers: int, dropout: float, horizon: int, bias: bool):
        super().__init__()
        self.rnn = RNNS[check_cell(cell)](1, hidden_size, num_layers=num_layers, batch_first=True, bias=bias,
                                          dropout=dropout if num_layers > 1 else 0.0)
        self.head = nn.Linear(hidden_size, horizon, bias=bias)  # bias=False: a zero window gives a zero output

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Transformed window (B, W') -> (output (B, horizon), states (B, W', H))."""
        states, _ = self.rnn(x.unsqueeze(-1))  # (B, W', 1) -> (B, W', H)
        return self.head(states[:, -1]), states  # (B, horizon)


class ForecastModule(SuiteModule):
    task_name = "forecast"
    item_kind = "windows"
    meta_type = ForecastMeta

    def __init__(self, model: dict, meta: ForecastMeta | dict):
        super().__init__(model, meta)
        self.net = ForecastNet(cell=model["cell"], hidden_size=model["hidden_size"], num_layers=model["num_layers"],
                               dropout=model["dropout"], horizon=self.meta.horizon,
                               bias=model.get("bias", True))  # .get: checkpoints from before the key
        self.transform = self.meta.transform()
        self.best_plotted = float("inf")  # val RMSE of the latest forecast_val.png

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Transformed window (B, W') -> output (B, horizon) in the transform's terms."""
        return self.net(x)[0]

    def forecast(self, raw: torch.Tensor) -> torch.Tensor:
        """Raw window(s) (B, W) in original units -> forecast (B, horizon) in original units."""
        x, ctx = self.transform.encode(raw)  # (B, W')
        return self.transform.decode(self(x.float()), ctx).float()

    def _inputs(self, batch: dict):
        """(inputs (B, W') float32, targets (B, horizon) float32, the context that decodes outputs)."""
        x, ctx = self.transform.encode(batch["x_raw"])
        return x.float(), self.transform.encode_targets(batch["y_raw"], ctx).float(), ctx

    def sequence_outputs(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """(loss, states (B, W', H)) for callbacks=gradient_flow: the head reads only the last state,
        so d loss / d h_t for earlier t is what flows back through the recurrence."""
        x, y, _ = self._inputs(batch)
        outs, states = stepwise_states(self.net.rnn, x.unsqueeze(-1))  # (B, W', H) twice
        return F.mse_loss(self.net.head(outs[:, -1]), y), states

    def training_step(self, batch: dict, batch_idx: int):
        x, y, _ = self._inputs(batch)
        loss = F.mse_loss(self(x), y)  # in the transform's scaled terms: every series trains alike
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        return loss

    # --- evaluation ----------------------------------------------------------------------------
    def eval_batch(self, batch: dict, stage: str) -> tuple[torch.Tensor, list[dict]]:
        x_in, y, ctx = self._inputs(batch)
        out = self(x_in)  # (B, horizon)
        loss = F.mse_loss(out, y)
        pred = self.transform.decode(out, ctx).float()  # (B, horizon), original units
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
        if stage == "val":  # drawn only for a new best (what the best checkpoint shows): a PNG costs more than an epoch
            sq = [(m - a) ** 2 for r in rows for m, a in zip(r["model"], r["actual"])]
            rmse = (sum(sq) / max(len(sq), 1)) ** 0.5
            if rmse >= self.best_plotted:
                return
            self.best_plotted = rmse
        rows = sorted(rows, key=lambda r: r["id"])  # time order
        path = Path(self.trainer.default_root_dir) / f"forecast_{stage}.png"
        save_forecast_plot([r["id"] for r in rows], [r["actual"][0] for r in rows], [r["model"][0] for r in rows],
                           [r["model"][-1] for r in rows], [r["seasonal_naive"][0] for r in rows], self.meta.horizon,
                           path, f"{stage}: forecast vs actual (epoch {self.current_epoch})")
        for logger in self.trainer.loggers:
            if isinstance(logger, WandbLogger):
                logger.log_image(f"{stage}/forecast_plot", [str(path)], step=self.global_step)
