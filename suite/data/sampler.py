"""Length-bucketed batches: sentences of similar length share a batch, so little padding is computed."""
from __future__ import annotations

import torch
from torch.utils.data import Sampler


class BucketBatchSampler(Sampler[list[int]]):
    """Shuffle, cut into pools of `pool` batches, sort each pool by length, batch, shuffle batches.

    Under DDP (torch.distributed initialised) every rank takes every world_size-th batch of the
    same seeded order; the batch count is padded so all ranks step the same number of times.
    """

    def __init__(self, lengths: list[int], batch_size: int, *, shuffle: bool = True, seed: int = 0, pool: int = 50):
        self.lengths, self.batch_size, self.shuffle, self.seed, self.pool = lengths, batch_size, shuffle, seed, pool
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    @property
    def sampler(self) -> "BucketBatchSampler":
        """Lightning calls `set_epoch` on `batch_sampler.sampler` before every epoch; pointing it
        here makes the order follow the trainer's epoch, so a resumed run continues the sequence
        the uninterrupted run would have seen (a counter of its own restarts at 0)."""
        return self

    def _world(self) -> tuple[int, int]:
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            return torch.distributed.get_rank(), torch.distributed.get_world_size()
        return 0, 1

    def _batches(self) -> list[list[int]]:
        g = torch.Generator().manual_seed(self.seed + self.epoch)
        n = len(self.lengths)
        order = torch.randperm(n, generator=g).tolist() if self.shuffle else list(range(n))
        span = self.batch_size * self.pool
        batches = []
        for start in range(0, n, span):
            chunk = sorted(order[start:start + span], key=lambda i: self.lengths[i])
            batches += [chunk[i:i + self.batch_size] for i in range(0, len(chunk), self.batch_size)]
        if self.shuffle:
            batches = [batches[i] for i in torch.randperm(len(batches), generator=g).tolist()]
        self.epoch += 1 if self.shuffle else 0  # a fresh order next epoch even without set_epoch
        return batches

    def __iter__(self):
        # a generator: the order is drawn at the first batch, after Lightning's set_epoch (Lightning
        # creates the loader's iterator before it sets the epoch, e.g. when a run resumes)
        rank, world = self._world()
        batches = self._batches()
        if world > 1:
            batches += batches[: (-len(batches)) % world]
            batches = batches[rank::world]
        yield from batches

    def __len__(self) -> int:
        n = -(-len(self.lengths) // self.batch_size) if self.lengths else 0  # upper bound for sorted pools
        rank, world = self._world()
        return -(-n // world)
