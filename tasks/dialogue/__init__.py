"""Chat-bot: the last turns of a dialogue (flat or hierarchical encoder) -> attention LSTM decoder
writes the reply; suite-chat talks to a checkpoint in the terminal, keeping the history."""
from suite.registry import Task

TASK = Task(
    name="dialogue",
    datamodule="tasks.dialogue.data:DialogueDataModule",
    module="tasks.dialogue.module:DialogueModule",
    predict="tasks.dialogue.chat:predict",
)
