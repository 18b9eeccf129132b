"""Image captioning: CNN grid features -> attention LSTM decoder."""
from suite.registry import Task

TASK = Task(
    name="captioning",
    datamodule="tasks.captioning.datamodule:CaptionDataModule",
    module="tasks.captioning.module:CaptioningModule",
    predict="tasks.captioning.predict:predict",
)
