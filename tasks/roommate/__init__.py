"""The perfect roommate (the first RNN lesson): the smallest task, the one to copy.

Four Python files: this one (the task's declaration, what the model knows of its data: dishes,
weather words, day 0's dish, and the rule that links them, shared by the data generator and
suite-predict), datamodule.py (random weeks, generated in memory), module.py (the step networks
and their training), predict.py (a week from the command line).
"""
from __future__ import annotations

from dataclasses import dataclass

from suite.meta import Meta
from suite.registry import Task

TASK = Task(
    name="roommate",
    datamodule="tasks.roommate.datamodule:RoommateDataModule",
    module="tasks.roommate.module:RoommateModule",
    predict="tasks.roommate.predict:predict",
)

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
