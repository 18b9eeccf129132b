"""task.min_steps: a small dataset trains more epochs until it has taken the task's minimum steps."""
from __future__ import annotations

import logging

from suite.min_steps import epochs_for, steps_per_epoch


class _Data:
    def __init__(self, batches):
        self.batches = batches

    def train_dataloader(self):
        return self.batches


class _Stream:
    def train_dataloader(self):
        return iter(())  # no len(): a stream


def test_a_small_dataset_trains_more_epochs_to_reach_min_steps(caplog):
    with caplog.at_level(logging.INFO, logger="suite.min_steps"):
        assert epochs_for(max_epochs=30, min_steps=660, per_epoch=4) == 165
    assert "training 165 epochs instead of 30 to reach task.min_steps=660" in caplog.text


def test_a_dataset_as_big_as_the_synthetic_one_keeps_max_epochs():
    assert epochs_for(max_epochs=30, min_steps=660, per_epoch=22) == 30
    assert epochs_for(max_epochs=30, min_steps=660, per_epoch=500) == 30


def test_no_minimum_no_limit_or_a_stream_leave_max_epochs_alone():
    assert epochs_for(30, None, 4) == 30
    assert epochs_for(-1, 660, 4) == -1
    assert epochs_for(30, 660, None) == 30


def test_steps_per_epoch_counts_optimiser_steps_per_process():
    assert steps_per_epoch(_Data(list(range(10)))) == 10
    assert steps_per_epoch(_Data(list(range(10))), accumulate=4) == 3  # ceil(10 / 4)
    assert steps_per_epoch(_Data(list(range(10))), world_size=2) == 5
    assert steps_per_epoch(_Stream()) is None
