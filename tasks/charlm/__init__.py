"""Character language model: stateful truncated BPTT over parallel text streams; samples text."""
from suite.registry import Task

TASK = Task(
    name="charlm",
    datamodule="tasks.charlm.datamodule:CharLMDataModule",
    module="tasks.charlm.module:CharLMModule",
    predict="tasks.charlm.predict:predict",
    input_optional=True,  # sampling needs only a prompt (which may be empty)
)
