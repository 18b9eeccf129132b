"""task.min_steps on the command line: a small dataset trains more epochs; a typed length wins."""
from __future__ import annotations

import json

from tests.integration.cli import run
from tests.tiny import tiny


def _epochs(run_dir) -> list[int]:
    return [row["epoch"] for row in json.loads((run_dir / "timeline.json").read_text())]


def test_min_steps_raises_the_epochs_of_a_small_dataset(tmp_path):
    # roommate's synthetic set is 8 steps an epoch: 20 steps need 3 epochs
    proc = run("suite-train", *tiny("roommate", "task.min_steps=20", f"hydra.run.dir={tmp_path}"))
    assert "training 3 epochs instead of 1 to reach task.min_steps=20" in proc.stdout + proc.stderr
    assert _epochs(tmp_path) == [0, 1, 2]


def test_a_max_epochs_typed_by_the_user_is_kept(tmp_path):
    run("suite-train", *tiny("roommate", "task.min_steps=20", "trainer.max_epochs=1", f"hydra.run.dir={tmp_path}"))
    assert _epochs(tmp_path) == [0]
