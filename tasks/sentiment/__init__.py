"""Sentiment classification (many-to-one): reviews -> (Bi)LSTM -> pooling -> label."""
from suite.registry import Task

TASK = Task(
    name="sentiment",
    datamodule="tasks.sentiment.datamodule:SentimentDataModule",
    module="tasks.sentiment.module:SentimentModule",
    predict="tasks.sentiment.predict:predict",
)
