"""The perfect roommate's weeks: a cycle of dishes; sunny -> the next dish, rainy -> yesterday's.

Small enough to generate in memory every run (no cache): a few hundred weeks of random weather.
"""
from __future__ import annotations

import torch

from suite.errors import UserError

WEATHER = ("sunny", "rainy")  # input vocabulary: index 0 cooks the next dish, index 1 repeats


def next_dishes(start: int, weather: list[int], n_dishes: int) -> list[int]:
    """The rule itself: dish of day 0..T given day 0's dish and the weather of days 1..T."""
    dishes = [start]
    for w in weather:
        dishes.append((dishes[-1] + 1) % n_dishes if WEATHER[w] == "sunny" else dishes[-1])
    return dishes


def make_weeks(n: int, days: int, n_dishes: int, p_sunny: float, seed: int) -> list[dict]:
    """`n` weeks, each {"weather": (days,), "dishes": (days + 1,)}; day 0's dish is drawn at random so
    the model learns the rule from every dish, not a memorised calendar."""
    if not 0 < p_sunny < 1:
        raise UserError(f"data.p_sunny={p_sunny} must be strictly between 0 and 1: both kinds of day must occur")
    g = torch.Generator().manual_seed(seed)
    weeks = []
    for _ in range(n):
        weather = (torch.rand(days, generator=g) >= p_sunny).long().tolist()  # 0 sunny, 1 rainy
        start = int(torch.randint(n_dishes, (1,), generator=g))
        dishes = next_dishes(start, weather, n_dishes)
        weeks.append({"weather": torch.tensor(weather), "dishes": torch.tensor(dishes)})
    return weeks
