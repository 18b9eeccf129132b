"""A UCF101-layout folder of real .avi files (with a zero-byte and a corrupt video planted) trains
and evaluates; the broken videos are skipped and counted, and the run says how val was carved."""
import json
import logging

import pytest
from hydra import compose, initialize_config_dir

from suite.config import CONF_DIR
from suite.engine import evaluate, train
from tests.conftest import compose_train
from tests.fixtures.video_formats import write_ucf101
from tests.tiny import tiny

UCF_ARGS = [a for a in tiny("activity") if not a.startswith("data.") or a.startswith("data.batch_size")] + [
    "data=ucf101", "data.image_size=16", "data.max_frames=8", "data.segments=4", "data.num_workers=0",
    "data.val_fraction=0.34"]


def test_ucf101_folder_trains_evaluates_and_counts_broken_videos(tmp_path, caplog):
    w = write_ucf101(tmp_path / "ucf", groups=4, clips_per_group=2, test_groups=1, frames=8, size=32)
    caplog.set_level(logging.INFO)
    metrics = train(compose_train(tmp_path / "run", [*UCF_ARGS, f"data.root={w.root}"]))
    assert {"val/acc", "val/acc_top5", "test/acc", "test/acc_class/Archery"} <= set(metrics)
    log = caplog.text
    assert "whole groups" in log and "seed 0" in log  # val carved from train by group, and said so
    assert "skipped 1 unusable videos, e.g. UCF-101/" in log and "(listed but missing on disk)" in log
    assert "skipped 2 unreadable videos" in log and "0 bytes" in log  # the zero-byte and the garbage file

    ckpt = next((tmp_path / "run" / "checkpoints").glob("best-*.ckpt"))
    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        cfg = compose("eval", overrides=[f"ckpt_path={ckpt}", f"run_dir={tmp_path / 'eval'}", "trainer.accelerator=cpu",
                                         "trainer.enable_progress_bar=false"])
    (tmp_path / "eval").mkdir()
    evaluated = evaluate(cfg)
    assert evaluated["test/acc"] == pytest.approx(metrics["test/acc"], abs=1e-6)
    written = json.loads((tmp_path / "eval" / "metrics.json").read_text())
    assert written["test/acc"] == pytest.approx(metrics["test/acc"])
