"""Length-bucketed batches under a frame budget: short utterances travel in big batches, long in small.

A batch holds at most `max_frames` padded frames (batch size x its longest utterance), so memory
and step time stay even whatever the lengths; sorting within pools keeps padding low.
"""
from __future__ import annotations

import torch
from torch.utils.data import Sampler


class FrameBudgetSampler(Sampler[list[int]]):
    """Shuffle, cut into pools, sort each pool by length, fill batches up to the budget, shuffle batches.

    Under DDP every rank takes every world_size-th batch of the same seeded order; the batch count
    is padded with repeats so all ranks step the same number of times.
    """

    def __init__(self, lengths: list[int], max_frames: int, *, max_batch_size: int = 256, shuffle: bool = True,
                 bucket: bool = True, seed: int = 0, pool: int = 2000):
        self.lengths, self.max_frames, self.max_batch_size = lengths, max_frames, max_batch_size
        self.shuffle, self.bucket, self.seed, self.pool = shuffle, bucket, seed, pool
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _world(self) -> tuple[int, int]:
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            return torch.distributed.get_rank(), torch.distributed.get_world_size()
        return 0, 1

    def _batches(self, epoch: int) -> list[list[int]]:
        g = torch.Generator().manual_seed(self.seed + epoch)
        n = len(self.lengths)
        order = torch.randperm(n, generator=g).tolist() if self.shuffle else list(range(n))
        batches: list[list[int]] = []
        for start in range(0, n, self.pool):
            chunk = order[start:start + self.pool]
            if self.bucket:
                chunk.sort(key=lambda i: self.lengths[i])
            batch, longest = [], 0
            for i in chunk:
                longest_if = max(longest, self.lengths[i])
                if batch and (longest_if * (len(batch) + 1) > self.max_frames or len(batch) >= self.max_batch_size):
                    batches.append(batch)
                    batch, longest_if = [], self.lengths[i]
                batch.append(i)
                longest = longest_if
            if batch:
                batches.append(batch)
        if self.shuffle:
            batches = [batches[i] for i in torch.randperm(len(batches), generator=g).tolist()]
        return batches

    def _mine(self) -> list[list[int]]:
        rank, world = self._world()
        batches = self._batches(self.epoch)
        if world > 1:
            batches += batches[: (-len(batches)) % world]
            batches = batches[rank::world]
        return batches

    def __iter__(self):
        batches = self._mine()
        self.epoch += 1 if self.shuffle else 0  # a fresh order next epoch even without set_epoch
        return iter(batches)

    def __len__(self) -> int:
        return len(self._mine())
