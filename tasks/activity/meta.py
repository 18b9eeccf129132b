"""What an activity model carries from its training data: the class names, in label order."""
from __future__ import annotations

from dataclasses import dataclass

from suite.meta import Meta


@dataclass(kw_only=True)
class ActivityMeta(Meta):
    classes: list[str]  # label i is classes[i]: the reader's order (classInd.txt, or sorted train/ folders)
