"""Time-series forecasting: a causal LSTM/GRU/RNN over sliding windows of one CSV column."""
from suite.registry import Task

TASK = Task(
    name="forecast",
    datamodule="tasks.forecast.datamodule:ForecastDataModule",
    module="tasks.forecast.module:ForecastModule",
    predict="tasks.forecast.predict:predict",
)
