"""Metadata: everything a trained model needs at test time that its training data decided
(vocabularies, tokenisers, label maps, scalers) plus the data config it was read with.

Each task declares a small dataclass deriving `Meta`. The datamodule builds it from the training
split; the module receives it; the checkpoint stores it as plain data (`to_dict`), so checkpoints
load with `torch.load(weights_only=True)` and never name code. A field whose type has
`from_dict`/`to_dict` (a Vocab, a tokeniser side, a scaler) is stored as its dict and rebuilt
from the field's type annotation.
"""
from __future__ import annotations

import dataclasses
import typing
from typing import Any


@dataclasses.dataclass(kw_only=True)
class Meta:
    """Base of every task's metadata; `data` is the data config the model was trained on."""

    data: dict = dataclasses.field(default_factory=dict)

    def to_dict(self) -> dict:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.to_dict() if hasattr(value, "to_dict") else value
        return out

    @classmethod
    def from_dict(cls, saved: dict) -> "Meta":
        hints = typing.get_type_hints(cls)
        kwargs = {}
        for f in dataclasses.fields(cls):
            if f.name not in saved:
                continue  # a field added later keeps its default
            value, kind = saved[f.name], hints.get(f.name)
            kwargs[f.name] = kind.from_dict(value) if isinstance(kind, type) and hasattr(kind, "from_dict") else value
        return cls(**kwargs)

    @classmethod
    def coerce(cls, meta: "Meta | dict") -> "Meta":
        """The dataclass, whether given one (from a datamodule) or its dict (from a checkpoint)."""
        return meta if isinstance(meta, cls) else cls.from_dict(dict(meta))
