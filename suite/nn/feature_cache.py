"""Features of a frozen backbone, computed once per item and reused every epoch.

A frozen ResNet (`freeze=true`: no gradient, BatchNorm fixed in eval mode) maps an item to the
same features every epoch as long as the item's pixels are the same every epoch, which they are
here: captioning resizes and centre-crops (no random augmentation) and activity's only
randomness is which decoded frames it samples, so frames are keyed by (video path, frame index).
A pipeline that adds random augmentation must refuse `cache_features`; which backbones may be
cached is the encoders' rule (`suite.nn.image_encoder.check_cacheable`): this module imports none.

Keys are file paths, not dataset ids: ids can repeat across splits (or datasets), a path names
the pixels themselves, so a train and a val item can never be confused. Train and eval give the
same features (the frozen backbone is always in eval mode), so eval uses the cache as well.

Stored in host memory, not on disk: a disk cache would have to be keyed by the weights, the image
size and the files' modification times to never serve stale features; one that lives for one run
cannot be stale. Memory cost per item: the backbone's output in the dtype it was computed in
(bf16 under bf16-mixed, else fp32), e.g. resnet50 at 224 px, 7x7x2048: 200 KB in bf16, so
Flickr8k's 8k images take 1.6 GB; COCO's 123k would take 25 GB: leave it off there.
"""
from __future__ import annotations

from typing import Callable, Hashable, Sequence

import torch


class FeatureCache:
    """key -> one item's features (on the CPU); `__call__` computes only what it has not seen."""

    def __init__(self):
        self.store: dict[Hashable, torch.Tensor] = {}

    def __len__(self) -> int:
        return len(self.store)

    def __call__(self, compute: Callable[[torch.Tensor], torch.Tensor], inputs: torch.Tensor,
                 keys: Sequence[Hashable]) -> torch.Tensor:
        """inputs (N, ...) with one key each -> compute(inputs) (N, ...), computing unseen keys only."""
        if len(keys) != len(inputs):
            raise ValueError(f"{len(keys)} cache keys for {len(inputs)} inputs")
        new = {}  # unseen key -> its first row (a batch may hold an item twice: repeated frames, DDP padding)
        for i, key in enumerate(keys):
            if key not in self.store and key not in new:
                new[key] = i
        if new:
            rows = torch.tensor(list(new.values()), device=inputs.device)
            with torch.no_grad():
                fresh = compute(inputs[rows]).detach().cpu()  # (M, ...)
            self.store.update(zip(new, fresh))  # rows are views of one (M, ...) tensor, all of it kept
        # torch.stack copies: the caller may change its features in place; never the cached ones
        return torch.stack([self.store[k] for k in keys]).to(inputs.device, non_blocking=True)  # (N, ...)
