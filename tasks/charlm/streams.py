"""Stateful truncated BPTT batches: the text cut into B parallel streams; batch i+1 continues batch i.

Stream b of batch i holds characters [b*L + i*bptt, b*L + (i+1)*bptt) of the corpus (L: stream
length), so a hidden state carried from batch i to batch i+1 sees one continuous text per row.
Under DDP every rank owns its own B streams (of B x world in all) and the same number of batches.
"""
from __future__ import annotations

import torch
from torch.utils.data import Dataset

from suite.errors import UserError


def world() -> tuple[int, int]:
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return 0, 1


def make_streams(ids: torch.Tensor, n_streams: int, rank: int = 0,
                 world_size: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    """ids (N,) -> this rank's (inputs (B, L), targets (B, L)); targets are inputs shifted by one character."""
    total = n_streams * world_size
    length = (ids.numel() - 1) // total
    if length < 2:
        raise UserError(f"the text has {ids.numel()} characters, too few for {total} streams: lower data.batch_size"
                        " or give a longer text")
    x = ids[: total * length].view(total, length)  # (B * world, L)
    y = ids[1: total * length + 1].view(total, length)  # (B * world, L)
    mine = slice(rank * n_streams, (rank + 1) * n_streams)
    return x[mine], y[mine]


class StreamBatches(Dataset):
    """Item i is batch i (already (B, bptt)): load with batch_size=None and no shuffling."""

    def __init__(self, inputs: torch.Tensor, targets: torch.Tensor, bptt: int, first_extra: dict | None = None):
        self.x, self.y, self.bptt = inputs, targets, bptt
        self.first_extra = first_extra or {}  # per-pass figures (a baseline) that ride on batch 0

    def __len__(self) -> int:
        return -(-self.x.size(1) // self.bptt)  # the last chunk may be shorter

    def __getitem__(self, i: int) -> dict:
        if not 0 <= i < len(self):
            raise IndexError(i)
        cut = slice(i * self.bptt, (i + 1) * self.bptt)
        batch = {"x": self.x[:, cut], "y": self.y[:, cut], "first": i == 0}  # (B, T), (B, T)
        return {**batch, **self.first_extra} if i == 0 else batch
