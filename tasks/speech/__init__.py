"""Speech recognition: log-mel + SpecAugment -> conv subsampling -> BiLSTM -> CTC over characters."""
from suite.registry import Task

TASK = Task(
    name="speech",
    datamodule="tasks.speech.datamodule:SpeechDataModule",
    module="tasks.speech.module:SpeechModule",
    predict="tasks.speech.predict:predict",
)
