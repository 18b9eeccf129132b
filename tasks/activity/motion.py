"""What the frame CNN sees: the frames (rgb), the differences of consecutive frames (diff), or both.

A difference of consecutive frames is a cheap stand-in for optical flow, as two-stream networks
use it (TSN's "RGB difference", Wang et al. 2016): on a still texture it is near zero, and where
the content moves it is minus the motion times the image gradient, so a CNN that also sees the
frame (rgb+diff: the later frame and the change into it, six channels) can tell which way the
content went from one conv. A per-frame CNN on RGB alone must compare features of whole frames
after pooling, which on real photographs is easier done by memorising the photo than the motion.
"""
from __future__ import annotations

import torch
from torch import nn

from suite.errors import UserError
from suite.nn.image_encoder import IMAGENET_MEAN, IMAGENET_STD

INPUTS = ("rgb", "diff", "rgb+diff")
CHANNELS = {"rgb": 3, "diff": 3, "rgb+diff": 6}  # per-step channels the frame CNN takes


class MotionInput(nn.Module):
    """uint8 clips (B, T, 3, H, W) -> the CNN's input: rgb keeps them as they are (the encoder
    normalises bytes itself); diff gives (B, T-1, 3, H, W) and rgb+diff (B, T-1, 6, H, W) floats,
    normalised like the encoder's RGB, a difference scaled by the same per-channel std."""

    def __init__(self, mode: str):
        super().__init__()
        if mode not in INPUTS:
            raise UserError(f"model.input={mode} is unknown: use rgb, diff or rgb+diff")
        self.mode, self.channels = mode, CHANNELS[mode]
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 1, 3, 1, 1) * 255, persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 1, 3, 1, 1) * 255, persistent=False)

    def forward(self, clips: torch.Tensor) -> torch.Tensor:
        if self.mode == "rgb":
            return clips  # (B, T, 3, H, W) uint8
        if clips.size(1) < 2:
            raise UserError(f"model.input={self.mode} needs 2 frames or more per clip, got {clips.size(1)}:"
                            f" raise data.segments")
        frames = (clips.float() - self.mean) / self.std  # (B, T, 3, H, W)
        diff = frames[:, 1:] - frames[:, :-1]  # (B, T-1, 3, H, W): frame t+1 minus frame t
        if self.mode == "diff":
            return diff
        return torch.cat([frames[:, 1:], diff], dim=2)  # (B, T-1, 6, H, W): a frame and the change into it
