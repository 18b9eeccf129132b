"""Length-bucketed batches under a frame budget: short utterances travel in big batches, long in small.

A batch holds at most `max_frames` padded frames (batch size x its longest utterance), so memory
and step time stay even whatever the lengths; a global length sort keeps padding low.
"""
from __future__ import annotations

import torch
from torch.utils.data import Sampler


class FrameBudgetSampler(Sampler[list[int]]):
    """Batches packed once up to the budget (by length when `bucket`, else in a seeded random order);
    each epoch shuffles the order of the batches.

    The batch count must be the same every epoch: Lightning fixes the step at which it validates
    from the first epoch's len(), so an epoch with fewer batches would silently skip validation
    (and its checkpoint). Fixed batches from a global length sort also pad least.
    Under DDP every rank takes every world_size-th batch of the same seeded order; the batch count
    is padded with repeats so all ranks step the same number of times.
    """

    def __init__(self, lengths: list[int], max_frames: int, *, max_batch_size: int, shuffle: bool = True,
                 bucket: bool = True, seed: int = 0):
        self.lengths, self.max_frames, self.max_batch_size = lengths, max_frames, max_batch_size
        self.shuffle, self.seed = shuffle, seed
        self.epoch = 0
        order = list(range(len(lengths)))
        if bucket:
            order.sort(key=lambda i: lengths[i])
        else:  # the unbucketed comparison: same budget, arbitrary neighbours
            order = torch.randperm(len(lengths), generator=torch.Generator().manual_seed(seed)).tolist()
        self.packed = self._pack(order)

    def _pack(self, order: list[int]) -> list[list[int]]:
        batches: list[list[int]] = []
        batch, longest = [], 0
        for i in order:
            longest_if = max(longest, self.lengths[i])
            if batch and (longest_if * (len(batch) + 1) > self.max_frames or len(batch) >= self.max_batch_size):
                batches.append(batch)
                batch, longest_if = [], self.lengths[i]
            batch.append(i)
            longest = longest_if
        return batches + ([batch] if batch else [])

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def _world(self) -> tuple[int, int]:
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            return torch.distributed.get_rank(), torch.distributed.get_world_size()
        return 0, 1

    def _batches(self, epoch: int) -> list[list[int]]:
        if not self.shuffle:
            return list(self.packed)
        g = torch.Generator().manual_seed(self.seed + epoch)
        return [self.packed[i] for i in torch.randperm(len(self.packed), generator=g).tolist()]

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
