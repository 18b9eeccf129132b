"""Video activity recognition: a CNN on every frame, an LSTM over time (LRCN)."""
from suite.registry import Task

TASK = Task(
    name="activity",
    datamodule="tasks.activity.datamodule:ActivityDataModule",
    module="tasks.activity.module:ActivityModule",
    predict="tasks.activity.predict:predict",
)
