"""Per-frame video encoder: one image CNN applied to every frame of a clip -> a feature sequence.

The CNN's grid is average-pooled to a small `pool` x `pool` grid and flattened, not pooled to one
vector: where things are (left or right, large or small) is exactly what motion is made of.
The sizes and switches come from the task's YAML (model.encoder), the one place that holds their
defaults: the model passes the node as it is (`FrameEncoder(**model["encoder"])`).
"""
from __future__ import annotations

import torch
from torch import nn

from suite.errors import UserError
from suite.nn.feature_cache import FeatureCache
from suite.nn.image_encoder import (IMAGENET_MEAN, IMAGENET_STD, RESNET_WEIGHT_FILES, ResNetEncoder, SmallCNN,
                                    check_cacheable)

ARCHS = ("frame_cnn", "small_cnn", *RESNET_WEIGHT_FILES)


class FrameCNN(nn.Module):
    """The CPU default: per width, one stride-2 3x3 conv (+ `blocks - 1` stride-1 ones), channels-last.
    A clip is T images, so the per-frame cost counts T times: no full-resolution stem (SmallCNN's
    costs most of its time). Widths (16, 32, 64) turn 32 px into a 4x4x64 grid."""

    def __init__(self, channels: list[int], blocks: int, in_channels: int = 3):
        super().__init__()
        layers, c_in = [], in_channels
        for c_out in channels:
            for k in range(blocks):
                layers += [nn.Conv2d(c_in, c_out, 3, stride=2 if k == 0 else 1, padding=1, bias=False),
                           nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]
                c_in = c_out
        self.body = nn.Sequential(*layers).to(memory_format=torch.channels_last)
        self.out_dim = channels[-1]

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.body(images.contiguous(memory_format=torch.channels_last))  # (N, in, H, W) -> (N, C, H/2^k, W/2^k)


def _backbone(arch: str, channels, pretrained, freeze, blocks: int, in_channels: int) -> nn.Module:
    if arch == "frame_cnn":
        return FrameCNN(list(channels), blocks, in_channels)
    if in_channels != 3:
        raise UserError(f"model.encoder.arch={arch} takes 3-channel frames, not {in_channels}: use"
                        f" model.encoder.arch=frame_cnn for stacked inputs")
    if arch == "small_cnn":
        return SmallCNN(list(channels))
    if arch in RESNET_WEIGHT_FILES:
        return ResNetEncoder(arch, pretrained, freeze, grid_size=None)  # the pool below sizes the grid
    raise UserError(f"unknown encoder arch '{arch}': set model.encoder.arch to one of {', '.join(ARCHS)}")


class FrameEncoder(nn.Module):
    """uint8 clips (B, T, 3, H, W) -> frame features (B, T, feature_size). A float clip (B, T, in_channels,
    H, W) is taken as already normalised (e.g. frame differences built by the caller)."""

    def __init__(self, *, arch: str, channels, blocks: int, pretrained, freeze: bool, cache_features: bool,
                 pool: int, feature_size: int, dropout: float, in_channels: int = 3):  # 3: RGB frames
        super().__init__()
        if cache_features:
            check_cacheable(arch, freeze)
        self.backbone = _backbone(arch, channels, pretrained, freeze, blocks, in_channels)
        self.pool = nn.AdaptiveAvgPool2d(pool)
        self.project = nn.Sequential(nn.Flatten(), nn.Linear(self.backbone.out_dim * pool * pool, feature_size),
                                     nn.ReLU(inplace=True), nn.Dropout(dropout))
        self.out_dim = feature_size
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1) * 255, persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1) * 255, persistent=False)
        # the frozen ResNet's pooled grid per (video path, frame index), reused every epoch
        # (see suite/nn/feature_cache.py): pooled, so a frame costs C*pool*pool values, 8 KB for resnet18
        self.feature_cache = FeatureCache() if cache_features else None

    def _pooled(self, frames: torch.Tensor) -> torch.Tensor:
        if frames.dtype == torch.uint8:  # RGB bytes: normalised here; float input comes normalised
            frames = (frames.float() - self.mean) / self.std
        grid = self.backbone(frames)  # (N, in, H, W) -> (N, C, h, w)
        return self.pool(grid)  # (N, C, pool, pool)

    def forward(self, clips: torch.Tensor, keys=None) -> torch.Tensor:
        """uint8 (B, T, 3, H, W) or normalised float (B, T, in, H, W) clips, optional cache keys, one per
        frame in (B, T) order -> (B, T, F)."""
        b, t = clips.shape[:2]
        frames = clips.flatten(0, 1)  # (B*T, in, H, W): every frame through the same CNN
        if self.feature_cache is None or keys is None:
            pooled = self._pooled(frames)  # (B*T, C, pool, pool)
        else:
            pooled = self.feature_cache(self._pooled, frames, keys)  # (B*T, C, pool, pool)
        feats = self.project(pooled)  # (B*T, F)
        return feats.view(b, t, -1)  # (B, T, F)
