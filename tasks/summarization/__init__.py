"""Text summarization: BiLSTM encoder -> pointer-generator decoder with coverage (See et al., 2017)."""
from suite.registry import Task

TASK = Task(
    name="summarization",
    datamodule="tasks.summarization.datamodule:SummarizationDataModule",
    module="tasks.summarization.module:SummarizationModule",
    predict="tasks.summarization.predict:predict",
)
