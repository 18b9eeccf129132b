"""Forecast data: a series (synthetic CSV or csv_series) -> chronological splits -> scaled sliding windows."""
from __future__ import annotations

import logging
from pathlib import Path

import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader

from suite.data.checks import check_fractions
from suite.data.loader_options import loader_kwargs
from suite.data.split_loaders import SplitLoaders
from suite.errors import UserError
from tasks.forecast.readers import Series, read_csv_series
from tasks.forecast.synthetic import generate_series
from tasks.forecast.windows import Scaler, check_lengths, split_points, windows

log = logging.getLogger(__name__)


def read_series(data: dict) -> tuple[Series, Path]:
    name = data["name"]
    if name == "synthetic_series":
        path = generate_series(data["root"], n=data["n"], season=data["season"], seed=data["seed"])
        return read_csv_series(path, "value", "date"), path
    if name == "csv_series":
        return read_csv_series(data["path"], data["column"], data.get("date_column")), Path(data["path"])
    raise UserError(f"unknown forecast data '{name}': use data=synthetic_series or csv_series")


class ForecastDataModule(SplitLoaders, pl.LightningDataModule):
    def __init__(self, data: dict, vocab: dict | None = None):
        super().__init__()
        self.data = data
        self.scaler = Scaler(**vocab["scaler"]) if vocab else None  # evaluation reuses the training scaler
        self.items: dict[str, list[dict]] = {}
        self.series: Series | None = None

    def prepare_data(self) -> None:
        if self.data["name"] == "synthetic_series":  # rank 0 writes the CSV; the other ranks find it cached
            read_series(self.data)

    def setup(self, stage: str | None = None) -> None:
        if self.items:
            return
        d = self.data
        check_fractions(val_fraction=d["val_fraction"], test_fraction=d["test_fraction"])
        self.series, path = read_series(d)
        for note in self.series.notes:
            log.info(note)
        values = self.series.values
        window, horizon, season = int(d["window"]), int(d["horizon"]), int(d["season"])
        val_start, test_start = split_points(len(values), d["val_fraction"], d["test_fraction"])
        check_lengths(len(values), window, horizon, season, val_start, test_start, path)
        if self.scaler is None:
            self.scaler = Scaler.fit(values[:val_start])  # train part only: no peeking at val/test levels
        raw = torch.tensor(values, dtype=torch.float32)  # (N,)
        scaled = self.scaler.scale(raw.double()).float()  # (N,)
        bounds = {"train": (0, val_start), "val": (val_start, test_start), "test": (test_start, len(values))}
        for split, (start, end) in bounds.items():
            self.items[split] = [
                {"x": scaled[i:t], "y": scaled[t:t + horizon], "x_raw": raw[i:t], "y_raw": raw[t:t + horizon],
                 "t": t} for i, t in windows(values, window, horizon, start, end)]
        log.info("forecast data: %d steps from %s -> %d train / %d val / %d test windows (window %d, horizon %d);"
                 " scaler fitted on the %d train steps", len(values), path.name,
                 *(len(self.items[s]) for s in ("train", "val", "test")), window, horizon, val_start)

    def metadata(self) -> dict:
        data = dict(self.data)
        for key in ("root", "path"):  # absolute, so suite-eval works from any directory
            if data.get(key):
                data[key] = str(Path(data[key]).expanduser().absolute())
        return {"vocab": {"scaler": self.scaler.to_dict()}, "data": data}

    @property
    def has_test(self) -> bool:
        return bool(self.items.get("test"))

    def _loader(self, split: str, train: bool) -> DataLoader:
        return DataLoader(self.items[split], batch_size=int(self.data["batch_size"]), shuffle=train,
                          **loader_kwargs(self.data))


DataModule = ForecastDataModule  # the name suite.registry looks up
