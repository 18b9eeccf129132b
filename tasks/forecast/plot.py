"""Forecast-versus-actual figure: what the numbers in metrics.json look like."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: training machines have no display
import matplotlib.pyplot as plt  # noqa: E402


def save_forecast_plot(t: list[int], actual: list[float], first: list[float], last: list[float],
                       seasonal: list[float], horizon: int, path: Path, title: str) -> Path:
    """Actual values at each window's first target step, the model's 1-step and `horizon`-step
    forecasts of the same time step, and the seasonal-naive 1-step forecast."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(10, 4), dpi=100)
    ax.plot(t, actual, color="black", lw=1.5, label="actual")
    ax.plot(t, first, color="tab:blue", lw=1.2, label="model, 1 step ahead")
    if horizon > 1 and last:
        ax.plot(t[horizon - 1:], last[:len(t) - horizon + 1], color="tab:orange", lw=1, ls="--",
                label=f"model, {horizon} steps ahead")
    ax.plot(t, seasonal, color="tab:gray", lw=1, ls=":", label="seasonal naive, 1 step")
    ax.set_xlabel("time step")
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
