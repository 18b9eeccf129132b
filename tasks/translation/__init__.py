"""Machine translation: BiLSTM encoder -> attention LSTM decoder, parallel / TSV readers."""
from suite.registry import Task

TASK = Task(
    name="translation",
    datamodule="tasks.translation.datamodule:TranslationDataModule",
    module="tasks.translation.module:TranslationModule",
    predict="tasks.translation.predict:predict",
)
