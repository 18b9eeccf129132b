"""Forecast data: a series (synthetic CSV or csv_series) -> chronological splits -> scaled sliding windows."""
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
from tasks.forecast.windows import check_lengths, covered_steps, split_points, windows


def read_series(data: dict) -> tuple[Series, Path]:
    name = data["name"]
    if name == "synthetic_series":
        path = generate_series(data["root"], n=data["n"], season=data["season"], seed=data["seed"])
        return read_csv_series(path, "value", "date"), path
    if name == "csv_series":
        return read_csv_series(data["path"], data["column"], data.get("date_column")), Path(data["path"])
    raise UserError(f"unknown forecast data '{name}': use data=synthetic_series or csv_series")


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
        scaler = Scaler.fit(covered_steps(train))  # train only: no peeking at val/test levels
        return ForecastMeta(data=d, scaler=scaler, window=int(d["window"]), horizon=int(d["horizon"]),
                            season=int(d["season"]), column=column)

    def encode(self, items: list[dict], split: str) -> list[dict]:
        scaler = self.meta.scaler  # the training scaler, also when evaluating on other data
        return [{**it, "x": scaler.scale(it["x_raw"].double()).float(), "y": scaler.scale(it["y_raw"].double()).float()}
                for it in items]

    def collate(self, items: list[dict]) -> dict:
        # x, x_raw: (B, W); y, y_raw: (B, horizon)
        batch = {key: torch.stack([it[key] for it in items]) for key in ("x", "y", "x_raw", "y_raw")}
        return {**batch, "ids": [it["id"] for it in items], "size": len(items)}
