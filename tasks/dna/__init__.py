"""DNA sequence classification (DanQ-style): one-hot bases -> conv -> max-pool -> BiLSTM -> dense."""
from __future__ import annotations

from dataclasses import dataclass, field

from suite.meta import Meta
from suite.registry import Task

TASK = Task(
    name="dna",
    datamodule="tasks.dna.datamodule:DnaDataModule",
    module="tasks.dna.module:DnaModule",
    predict="tasks.dna.predict:predict",
)

N_INDEX = 4  # A C G T -> 0..3; N (and padding) -> 4, an all-zero one-hot column


@dataclass(kw_only=True)
class DnaMeta(Meta):
    label_type: str = "binary"  # binary: one logit; multiclass: softmax over classes; multilabel: a logit each
    classes: list[str] = field(default_factory=list)  # binary: [negative, positive]
