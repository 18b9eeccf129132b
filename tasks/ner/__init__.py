"""Named-entity recognition (many-to-many, aligned): words + characters -> BiLSTM (+ CRF) -> IOB2 tags."""
from suite.registry import Task

TASK = Task(
    name="ner",
    datamodule="tasks.ner.datamodule:NerDataModule",
    module="tasks.ner.module:NerModule",
    predict="tasks.ner.predict:predict",
)
