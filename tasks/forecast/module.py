"""Forecast LightningModule: a causal LSTM/GRU/RNN reads a window relative to its last value; its
last state predicts the next `horizon` steps as changes from that value (level-free, so a trend
needs no extrapolation).

Logs MAE, RMSE, sMAPE (original units) beside the naive and seasonal-naive baselines, and writes a
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
from tasks.forecast.plot import save_forecast_plot
from tasks.forecast.windows import Scaler, errors, naive, seasonal_naive, summarise

KINDS = ("model", "naive", "seasonal_naive")


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

    def __init__(self, model: dict, meta: dict):
        super().__init__(model, meta)
        self.scaler = Scaler(**meta["vocab"]["scaler"])
        self.horizon, self.window = int(meta["data"]["horizon"]), int(meta["data"]["window"])
        self.season = int(meta["data"]["season"])
        self.net = ForecastNet(cell=model["cell"], hidden_size=model["hidden_size"], num_layers=model["num_layers"],
                               dropout=model["dropout"], horizon=self.horizon)
        self._rows: list = []
        self._sums: dict[str, dict[str, torch.Tensor]] = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Scaled window (B, W) -> scaled forecast (B, horizon)."""
        return self.net(x)[0]

    def forecast(self, raw: torch.Tensor) -> torch.Tensor:
        """Raw window(s) (B, W) in original units -> forecast (B, horizon) in original units."""
        x = self.scaler.scale(raw.double()).float()
        return self.scaler.unscale(self(x).double()).float()

    def sequence_outputs(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """(loss, states (B, W, H)) for callbacks=gradient_flow: the head reads only the last state,
        so d loss / d h_t for earlier t is what flows back through the recurrence."""
        x = batch["x"]
        last = x[:, -1:]  # (B, 1)
        outs, states = stepwise_states(self.net.rnn, (x - last).unsqueeze(-1))  # (B, W, H) twice
        return F.mse_loss(last + self.net.head(outs[:, -1]), batch["y"]), states

    def training_step(self, batch: dict, batch_idx: int):
        loss = F.mse_loss(self(batch["x"]), batch["y"])  # scaled units: every series trains alike
        self.log_train("train/loss", loss, batch["x"].size(0), prog_bar=True)
        return loss

    # --- evaluation ----------------------------------------------------------------------------
    def _eval_step(self, batch: dict, stage: str) -> None:
        pred_scaled = self(batch["x"])  # (B, horizon)
        self.log(f"{stage}/loss", F.mse_loss(pred_scaled, batch["y"]), batch_size=batch["x"].size(0), sync_dist=True)
        pred = self.scaler.unscale(pred_scaled.double()).float()  # (B, horizon), original units
        x, y = batch["x_raw"], batch["y_raw"]
        guesses = {"model": pred, "naive": naive(x, self.horizon),
                   "seasonal_naive": seasonal_naive(x, self.horizon, self.season)}
        for kind, guess in guesses.items():
            sums = self._sums.setdefault(kind, {})
            for key, value in errors(guess.double(), y.double()).items():
                sums[key] = sums.get(key, 0.0) + value
        self._rows.extend(zip(batch["t"].tolist(), y[:, 0].tolist(), pred[:, 0].tolist(), pred[:, -1].tolist(),
                              guesses["seasonal_naive"][:, 0].tolist()))
        if stage == "val" and self.keep_examples and not self.examples:
            self.examples = [{"t": t, "actual": a, "forecast_1": p} for t, a, p, _, _ in self._rows[:16]]

    def _eval_epoch_end(self, stage: str) -> None:
        sums, self._sums = self._sums, {}
        rows, self._rows = self.gather_lists(self._rows), []
        if not sums:
            return
        for kind in KINDS:
            reduced = {k: float(self.trainer.strategy.reduce(
                torch.as_tensor(v, device=self.device, dtype=torch.float64), reduce_op="sum")) for k, v in sums[kind].items()}
            suffix = "" if kind == "model" else f"_{kind}"
            for name, value in summarise(reduced).items():
                self.log(f"{stage}/{name}{suffix}", value)
        if self.trainer.is_global_zero and not self.trainer.sanity_checking:
            self._plot(sorted(dict((r[0], r) for r in rows).values()), stage)

    def _plot(self, rows: list, stage: str) -> None:
        t, actual, first, last, seasonal = (list(c) for c in zip(*rows))
        path = Path(self.trainer.default_root_dir) / f"forecast_{stage}.png"
        save_forecast_plot(t, actual, first, last, seasonal, self.horizon, path,
                           f"{stage}: forecast vs actual (epoch {self.current_epoch})")
        for logger in self.trainer.loggers:
            if isinstance(logger, WandbLogger):
                logger.log_image(f"{stage}/forecast_plot", [str(path)], step=self.global_step)

    def on_validation_epoch_start(self) -> None:
        self.examples, self._rows, self._sums = [], [], {}

    def validation_step(self, batch, batch_idx):
        self._eval_step(batch, "val")

    def on_validation_epoch_end(self):
        super().on_validation_epoch_end()
        self._eval_epoch_end("val")

    def on_test_epoch_start(self) -> None:
        self._rows, self._sums = [], {}

    def test_step(self, batch, batch_idx):
        self._eval_step(batch, "test")

    def on_test_epoch_end(self):
        self._eval_epoch_end("test")


Module = ForecastModule  # the name suite.registry looks up
