"""What a roommate model knows of its data (the dishes in cycle order, the weather words, day 0's
default dish) and the rule that links them, which the data generator and suite-predict share."""
from __future__ import annotations

from dataclasses import dataclass

from suite.meta import Meta

WEATHER = ("sunny", "rainy")  # input vocabulary: index 0 cooks the next dish, index 1 repeats


@dataclass(kw_only=True)
class RoommateMeta(Meta):
    dishes: list[str]  # the cooking cycle, in order
    weather: list[str]  # the weather words, by input id
    start_dish: str  # day 0's dish for suite-predict when the input names none


def next_dishes(start: int, weather: list[int], n_dishes: int) -> list[int]:
    """The rule itself: dish ids of days 0..T given day 0's dish and the weather ids of days 1..T."""
    dishes = [start]
    for w in weather:
        dishes.append((dishes[-1] + 1) % n_dishes if WEATHER[w] == "sunny" else dishes[-1])
    return dishes
