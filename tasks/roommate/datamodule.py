"""Roommate data: random weeks of weather and the dishes the rule gives, generated in memory each
run (a few hundred weeks: no cache). Val weeks are new weather sequences; there is no test split,
since the rule has nothing more to test."""
from __future__ import annotations

import torch

from suite.data.datamodule import SuiteDataModule
from suite.data.splits import Splits
from suite.errors import UserError
from tasks.roommate import WEATHER, RoommateMeta, next_dishes


def check_dishes(dishes: list[str], start: str) -> None:
    if len(dishes) < 2 or len(set(dishes)) != len(dishes):
        raise UserError(f"data.dishes={dishes} must name at least two different dishes: e.g. "
                        "data.dishes='[apple pie,burger,chicken]'")
    if start not in dishes:
        raise UserError(f"data.start_dish='{start}' is not one of data.dishes ({', '.join(dishes)}): pick one of them")


def make_weeks(n: int, days: int, n_dishes: int, p_sunny: float, seed: int) -> list[dict]:
    """`n` weeks, each {"weather": (days,), "dishes": (days + 1,), "id"}; day 0's dish is drawn at
    random so the model learns the rule from every dish, not a memorised calendar."""
    if not 0 < p_sunny < 1:
        raise UserError(f"data.p_sunny={p_sunny} must be strictly between 0 and 1: both kinds of day must occur")
    g = torch.Generator().manual_seed(seed)
    weeks = []
    for i in range(n):
        weather = (torch.rand(days, generator=g) >= p_sunny).long().tolist()  # 0 sunny, 1 rainy
        start = int(torch.randint(n_dishes, (1,), generator=g))
        weeks.append({"weather": torch.tensor(weather), "dishes": torch.tensor(next_dishes(start, weather, n_dishes)),
                      "id": i})
    return weeks


class RoommateDataModule(SuiteDataModule):
    meta_type = RoommateMeta
    item_kind = "weeks"

    def read(self) -> Splits:
        d = self.data
        if d["name"] != "roommate_days":
            raise UserError(f"unknown roommate data '{d['name']}': use data=roommate_days")
        dishes = list(d["dishes"])
        check_dishes(dishes, d["start_dish"])
        train, val = (make_weeks(int(d[f"n_{split}"]), int(d["days"]), len(dishes), float(d["p_sunny"]),
                                 int(d["seed"]) * 2 + i)  # separate seeds: val weeks are new weather sequences
                      for i, split in enumerate(("train", "val")))
        return Splits(train, val, notes=[f"roommate weeks of {d['days']} days; dishes {' -> '.join(dishes)}"])

    def build_meta(self, train: list[dict]) -> RoommateMeta:
        return RoommateMeta(data=self.data, dishes=list(self.data["dishes"]), weather=list(WEATHER),
                            start_dish=self.data["start_dish"])

    def collate(self, weeks: list[dict]) -> dict:
        return {"weather": torch.stack([w["weather"] for w in weeks]),  # (B, T)
                "dishes": torch.stack([w["dishes"] for w in weeks]),  # (B, T + 1): day 0 and the T days after it
                "ids": [w["id"] for w in weeks], "size": len(weeks)}
