"""Forecast data: a series (synthetic CSV or csv_series) -> chronological splits -> raw sliding windows.

The windows stay in original units; the module turns them into network inputs with the train-only
transform the metadata carries (tasks/forecast/transform.py), so evaluation and predict share it."""
from __future__ import annotations

from pathlib import Path

import torch

from suite.data.checks import check_fractions
from suite.data.datamodule import SuiteDataModule
from suite.data.splits import SPLITS, Splits
from suite.errors import UserError
from tasks.forecast.meta import ForecastMeta, Scaler
from tasks.forecast.readers import Series, read_csv_series
from tasks.forecast.synthetic import generate_series
from tasks.forecast.transform import WindowTransform
from tasks.forecast.windows import check_lengths, covered_steps, split_points, windows


def read_series(data: dict) -> tuple[Series, Path]:
    name = data["name"]
    if name == "synthetic_series":
        path = generate_series(data["root"], n=data["n"], season=data["season"], seed=data["seed"])
        return read_csv_series(path, "value", "date"), path
    if name == "csv_series":
        return read_csv_series(data["path"], data["column"], data.get("date_column")), Path(data["path"])
    raise UserError(f"unknown forecast data '{name}': use data=synthetic_series or csv_series")


def transform_options(data: dict) -> dict:
    """The transform keys of a data config (a config from before they existed gets the old behaviour)."""
    return {"log": bool(data.get("log", False)), "seasonal_diff": bool(data.get("seasonal_diff", False)),
            "center": str(data.get("center", "last")), "scale": str(data.get("scale", "train"))}


def check_transform(data: dict, series: Series, path: Path) -> None:
    """The options fit the series: log needs positive values, differencing a window longer than a season."""
    options = transform_options(data)
    WindowTransform(season=int(data["season"]), mean=0.0, std=1.0, **options)  # unknown center/scale: one line
    if options["log"]:
        bad = next((i for i, v in enumerate(series.values) if v <= 0), None)
        if bad is not None:
            when = f" ({series.dates[bad]})" if series.dates else ""
            raise UserError(f"{path}: data.log=true needs positive values, but step {bad + 1}{when} holds "
                            f"{series.values[bad]:g}: set data.log=false or shift the column above zero")
    window, season = int(data["window"]), int(data["season"])
    if options["seasonal_diff"] and window <= season:
        raise UserError(f"data.seasonal_diff=true reads the window's year-on-year changes (data.window - data.season"
                        f" = {window - season}): raise data.window above data.season={season}")


class ForecastDataModule(SuiteDataModule):
    meta_type = ForecastMeta
    item_kind = "windows"

    def generate(self) -> None:
        d = self.data
        if d["name"] == "synthetic_series":  # rank 0 writes the CSV; the other ranks find it cached
            generate_series(d["root"], n=d["n"], season=d["season"], seed=d["seed"])

    def read(self) -> Splits:
        d = self.data
        check_fractions(val_fraction=d["val_fraction"], test_fraction=d["test_fraction"])
        series, path = read_series(d)
        values = series.values
        window, horizon, season = int(d["window"]), int(d["horizon"]), int(d["season"])
        val_start, test_start = split_points(len(values), d["val_fraction"], d["test_fraction"])
        check_lengths(len(values), window, horizon, season, val_start, test_start, path)
        check_transform(d, series, path)
        raw = torch.tensor(values, dtype=torch.float32)  # (N,)
        bounds = {"train": (0, val_start), "val": (val_start, test_start), "test": (test_start, len(values))}
        parts = {split: [{"x_raw": raw[i:t], "y_raw": raw[t:t + horizon], "id": t}  # (W,), (horizon,); id: target start
                         for i, t in windows(values, window, horizon, *bounds[split])] for split in SPLITS}
        note = (f"{path.name}: {len(values)} steps, window {window}, horizon {horizon}; the first {val_start}"
                f" are train (the scaler's), then val to step {test_start}, then test")
        return Splits(**parts, notes=[*series.notes, note])

    def build_meta(self, train: list[dict]) -> ForecastMeta:
        d = self.data
        column = "value" if d["name"] == "synthetic_series" else d["column"]
        options = transform_options(d)
        fitted = WindowTransform.fit(covered_steps(train), season=int(d["season"]), **options)  # train only
        return ForecastMeta(data=d, scaler=Scaler(fitted.mean, fitted.std), window=int(d["window"]),
                            horizon=int(d["horizon"]), season=int(d["season"]), column=column, **options)

    def collate(self, items: list[dict]) -> dict:
        # x_raw: (B, W); y_raw: (B, horizon), original units
        batch = {key: torch.stack([it[key] for it in items]) for key in ("x_raw", "y_raw")}
        return {**batch, "ids": [it["id"] for it in items], "size": len(items)}
