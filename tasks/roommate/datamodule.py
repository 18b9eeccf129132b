"""Roommate data: random weeks of weather and the dishes the rule gives (generated in memory)."""
from __future__ import annotations

import logging

import pytorch_lightning as pl
from torch.utils.data import DataLoader

from suite.data.loader_options import loader_kwargs
from suite.errors import UserError
from tasks.roommate.synthetic import WEATHER, make_weeks

log = logging.getLogger(__name__)


def check_dishes(dishes: list[str], start: str) -> None:
    if len(dishes) < 2 or len(set(dishes)) != len(dishes):
        raise UserError(f"data.dishes={dishes} must name at least two different dishes: e.g. "
                        "data.dishes='[apple pie,burger,chicken]'")
    if start not in dishes:
        raise UserError(f"data.start_dish='{start}' is not one of data.dishes ({', '.join(dishes)}): pick one of them")


class RoommateDataModule(pl.LightningDataModule):
    def __init__(self, data: dict, vocab: dict | None = None):
        super().__init__()
        self.data = data
        self.dishes = list(vocab["dishes"]) if vocab else list(data["dishes"])
        self.items: dict[str, list[dict]] = {}

    def setup(self, stage: str | None = None) -> None:
        if self.items:
            return
        d = self.data
        if d["name"] != "roommate_days":
            raise UserError(f"unknown roommate data '{d['name']}': use data=roommate_days")
        check_dishes(self.dishes, d["start_dish"])
        for i, split in enumerate(("train", "val")):  # separate seeds: val weeks are new weather sequences
            self.items[split] = make_weeks(int(d[f"n_{split}"]), int(d["days"]), len(self.dishes), float(d["p_sunny"]),
                                           int(d["seed"]) * 2 + i)
        log.info("roommate data: %d train / %d val weeks of %d days; dishes %s", len(self.items["train"]),
                 len(self.items["val"]), d["days"], " -> ".join(self.dishes))

    def metadata(self) -> dict:
        return {"vocab": {"dishes": self.dishes, "weather": list(WEATHER)}, "data": dict(self.data)}

    @property
    def has_test(self) -> bool:
        return False  # val weeks are already unseen weather sequences; the rule has nothing more to test

    def train_dataloader(self):
        return DataLoader(self.items["train"], batch_size=int(self.data["batch_size"]), shuffle=True,
                          **loader_kwargs(self.data))

    def val_dataloader(self):
        return DataLoader(self.items["val"], batch_size=int(self.data["batch_size"]), **loader_kwargs(self.data))


DataModule = RoommateDataModule  # the name suite.registry looks up
