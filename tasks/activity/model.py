"""Clip classifiers: per-frame CNN features, then an LSTM over time (LRCN) or a plain mean (frame_pool).

LRCN (Donahue et al., 2015) reads the frame features in order, so it can tell left from right and
growing from shrinking; frame_pool averages them first, so it sees the same clip played backwards
as the same thing. The two share everything else, which makes the gap what the recurrence adds.
`model.input` picks what the frame CNN sees: frames, frame differences or both (tasks/activity/motion.py).
"""
from __future__ import annotations

import torch
from torch import nn

from suite.errors import UserError
from suite.nn.cells import RNNS, check_cell
from suite.nn.video_encoder import FrameEncoder
from tasks.activity.motion import MotionInput

TEMPORAL = ("recurrent", "mean")
READOUTS = ("last", "mean")


class ClipClassifier(nn.Module):
    # `model` is the task's YAML node (conf/model/lrcn.yaml), the one place that holds the defaults
    def __init__(self, model: dict, n_classes: int):
        super().__init__()
        mode = model.get("input", "rgb")  # .get: checkpoints from before the option saw the frames
        self.input = MotionInput(mode)
        if mode != "rgb" and model["encoder"]["cache_features"]:
            raise UserError(f"model.encoder.cache_features=true caches RGB frame features, not model.input="
                            f"{mode}: set model.input=rgb or model.encoder.cache_features=false")
        self.encoder = FrameEncoder(**model["encoder"], in_channels=self.input.channels)
        self.temporal, self.readout = model["temporal"], model["readout"]
        if self.temporal not in TEMPORAL:
            raise UserError(f"model.temporal={self.temporal} is unknown: use recurrent (lrcn) or mean (frame_pool)")
        if self.readout not in READOUTS:
            raise UserError(f"model.readout={self.readout} is unknown: use last or mean")
        hidden = int(model["hidden_size"])
        if self.temporal == "recurrent":
            layers = int(model["num_layers"])
            rnn = RNNS[check_cell(model["cell"])]
            self.rnn = rnn(self.encoder.out_dim, hidden, num_layers=layers, batch_first=True,
                           dropout=model["dropout"] if layers > 1 else 0.0)
        else:  # the same width as the LSTM, so the baseline loses only the order, not capacity
            self.rnn = nn.Sequential(nn.Linear(self.encoder.out_dim, hidden), nn.ReLU(inplace=True))
        self.head = nn.Sequential(nn.Dropout(model["dropout"]), nn.Linear(hidden, n_classes))

    def forward(self, clips: torch.Tensor, keys=None) -> torch.Tensor:
        """uint8 clips (B, T, 3, H, W), optional frame cache keys (B*T) -> class logits (B, C)."""
        steps = self.input(clips)  # (B, T, 3, H, W) uint8, or (B, T-1, 3 | 6, H, W) float differences
        feats = self.encoder(steps, keys if steps is clips else None)  # (B, T', F)
        if self.temporal == "mean":
            return self.head(self.rnn(feats.mean(1)))  # (B, F) -> (B, H) -> (B, C)
        out, _ = self.rnn(feats)  # (B, T', H): every clip has T' steps, nothing to pack
        summary = out[:, -1] if self.readout == "last" else out.mean(1)  # (B, H)
        return self.head(summary)  # (B, C)
