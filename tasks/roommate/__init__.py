"""The perfect roommate (the first RNN lesson): the smallest task, the one to copy.

Four files beside this one: meta.py (what the model knows: dishes, weather words, the rule),
datamodule.py (random weeks, generated in memory), module.py (the step networks and their
training), predict.py (a week from the command line).
"""
from suite.registry import Task

TASK = Task(
    name="roommate",
    datamodule="tasks.roommate.datamodule:RoommateDataModule",
    module="tasks.roommate.module:RoommateModule",
    predict="tasks.roommate.predict:predict",
)
