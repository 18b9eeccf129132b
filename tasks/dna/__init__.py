"""DNA sequence classification (DanQ-style): one-hot bases -> conv -> max-pool -> BiLSTM -> dense."""
from suite.registry import Task

TASK = Task(
    name="dna",
    datamodule="tasks.dna.datamodule:DnaDataModule",
    module="tasks.dna.module:DnaModule",
    predict="tasks.dna.predict:predict",
)
