"""Image encoders: a CNN that turns an image into a grid of feature vectors to attend over.

The sizes and switches come from the task's YAML (model.encoder), the one place that holds their
defaults: the module passes the node as it is (`ImageGridEncoder(**model["encoder"])`).
"""
from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from suite.errors import UserError
from suite.nn.feature_cache import FeatureCache

# torchvision's file names for the ImageNet weights, as found in the torch hub cache.
RESNET_WEIGHT_FILES = {
    "resnet18": "resnet18-f37072fd.pth",
    "resnet34": "resnet34-b627a593.pth",
    "resnet50": "resnet50-11ad3fa6.pth",
}
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def check_cacheable(arch: str, freeze: bool) -> None:
    """cache_features=true needs a backbone whose output cannot change during training (see
    suite/nn/feature_cache.py): a frozen ResNet."""
    if arch not in RESNET_WEIGHT_FILES or not freeze:
        raise UserError(f"model.encoder.cache_features=true needs a frozen ResNet (got arch={arch}, freeze={freeze}):"
                        f" set model.encoder.arch to one of {', '.join(RESNET_WEIGHT_FILES)} and"
                        " model.encoder.freeze=true, or model.encoder.cache_features=false")


def _conv_block(c_in: int, c_out: int, stride: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class SmallCNN(nn.Module):
    """From-scratch CNN for CPU runs: a full-resolution stem (small shapes need the detail), then
    one stride-2 stage of two 3x3 convs per extra width. Widths (16, 32, 64, 128) turn 64 px into
    an 8x8 grid of 128-d features. Runs channels-last: oneDNN and cuDNN convolutions are fastest so."""

    def __init__(self, channels: list[int]):
        super().__init__()
        layers = [_conv_block(3, channels[0], 1)]
        for c_in, c_out in zip(channels[:-1], channels[1:]):
            layers += [_conv_block(c_in, c_out, 2), _conv_block(c_out, c_out, 1)]
        self.body = nn.Sequential(*layers).to(memory_format=torch.channels_last)
        self.out_dim = channels[-1]

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        images = images.contiguous(memory_format=torch.channels_last)
        return self.body(images)  # (B, 3, H, W) -> (B, C, H / 2^(len(channels)-1), W / ...)


def _resolve_imagenet_weights(arch: str, pretrained) -> Path | None:
    if pretrained in (False, None):
        return None
    if pretrained is True:
        path = Path(torch.hub.get_dir()) / "checkpoints" / RESNET_WEIGHT_FILES[arch]
        hint = f"put {RESNET_WEIGHT_FILES[arch]} there"
    else:
        path, hint = Path(str(pretrained)).expanduser(), "point model.encoder.pretrained at the .pth file"
    if not path.is_file():
        raise UserError(
            f"ImageNet weights for {arch} not found at {path}: {hint}, "
            "or set model.encoder.pretrained=false to train from scratch"
        )
    return path


class ResNetEncoder(nn.Module):
    """torchvision ResNet without its pooling and classifier: a (C, H/32, W/32) feature grid."""

    def __init__(self, arch: str, pretrained, freeze: bool, grid_size: int | None):
        super().__init__()
        import torchvision

        if arch not in RESNET_WEIGHT_FILES:
            raise UserError(f"unknown encoder arch '{arch}': use one of small_cnn, {', '.join(RESNET_WEIGHT_FILES)}")
        net = getattr(torchvision.models, arch)(weights=None)  # never downloads
        weights = _resolve_imagenet_weights(arch, pretrained)
        if weights is not None:
            net.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
        self.body = nn.Sequential(*list(net.children())[:-2])
        self.pool = nn.AdaptiveAvgPool2d(grid_size) if grid_size else nn.Identity()
        self.out_dim = net.fc.in_features
        if freeze:
            self.body.requires_grad_(False)
        self.frozen = freeze

    def train(self, mode: bool = True):
        super().train(mode)
        if self.frozen:
            self.body.eval()  # frozen BatchNorm keeps its ImageNet statistics
        return self

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.pool(self.body(images))  # (B, 3, H, W) -> (B, C, h, w)


class ImageGridEncoder(nn.Module):
    """Any backbone above, returning grid features flattened for attention."""

    def __init__(self, *, arch: str, channels, pretrained, freeze: bool, grid_size: int | None,
                 cache_features: bool):
        super().__init__()
        if cache_features:
            check_cacheable(arch, freeze)
        if arch == "small_cnn":
            self.backbone = SmallCNN(list(channels))
        else:
            self.backbone = ResNetEncoder(arch, pretrained, freeze, grid_size)
        self.out_dim = self.backbone.out_dim
        # from-scratch nets are trained on raw [0, 1] pixels normalised the same way as ImageNet ones
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)
        # the frozen ResNet's grid per image path, reused every epoch (see suite/nn/feature_cache.py)
        self.feature_cache = FeatureCache() if cache_features else None

    def _body(self, images: torch.Tensor) -> torch.Tensor:
        return self.backbone.body((images - self.mean) / self.std)  # (B, 3, H, W) -> (B, C, H/32, W/32)

    def forward(self, images: torch.Tensor, keys=None) -> torch.Tensor:
        """[0, 1] images (B, 3, H, W), optional per-image cache keys (paths) -> (B, h*w, C)."""
        if self.feature_cache is None or keys is None:
            grid = self.backbone((images - self.mean) / self.std)  # (B, C, h, w)
        else:  # the native grid is cached, not the pooled one: grid_size=14 upsamples a 7x7 grid 4x
            grid = self.backbone.pool(self.feature_cache(self._body, images, keys))  # (B, C, h, w)
        return grid.flatten(2).transpose(1, 2)  # (B, h*w, C)
