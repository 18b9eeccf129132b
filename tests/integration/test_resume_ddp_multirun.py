"""Crash and resume=auto, a two-process DDP run, and a CLI multirun."""
import json

import pytest
import torch

from tests.conftest import TINY_CAPTIONING, TINY_TRANSLATION
from tests.integration.cli import kill_after_first_checkpoint, run

ARGS = TINY_CAPTIONING


def test_kill_9_then_resume_auto_continues_from_last_ckpt(tmp_path):
    last = kill_after_first_checkpoint([*ARGS, "data.n_train=160", "trainer.max_epochs=4", "resume=auto"], tmp_path,
                                       "captioning")
    killed_at = torch.load(last, weights_only=True)["global_step"]
    assert 0 < killed_at < 4 * 20, "the run finished before it could be killed"
    again = run("suite-train", *ARGS, "data.n_train=160", "trainer.max_epochs=4", "resume=auto", cwd=tmp_path)
    assert f"resuming from {last}" in again.stdout + again.stderr
    final = torch.load(last, weights_only=True)
    assert final["global_step"] == 4 * 20  # 160 images / batch 8 = 20 steps an epoch, 4 epochs in all
    run_dir = last.parent.parent  # the resumed run wrote into the first run's dir
    assert json.loads((run_dir / "metrics.json").read_text())["test/bleu4"] >= 0
    epochs = [row["epoch"] for row in json.loads((run_dir / "timeline.json").read_text())]
    assert epochs == sorted(set(epochs)) and epochs[-1] == 3  # no epoch trained twice


@pytest.mark.parametrize("task, tiny, metric", [("captioning", TINY_CAPTIONING, "test/bleu4"),
                                                ("translation", TINY_TRANSLATION, "test/bleu")])
def test_ddp_cpu_two_processes_one_run_dir_one_wandb_run(tmp_path, task, tiny, metric):
    # debug=tiny pins one device and no logger: two processes and the W&B run are what this test checks
    proc = run("suite-train", *tiny, "trainer=ddp_cpu", "trainer.devices=2", "logger=wandb", cwd=tmp_path, timeout=400)
    out = proc.stdout + proc.stderr
    assert "MEMBER: 2/2" in out  # two ranks joined the process group
    run_dirs = [p for p in (tmp_path / "outputs" / task).iterdir() if p.is_dir()]
    assert len(run_dirs) == 1
    assert json.loads((run_dirs[0] / "metrics.json").read_text())[metric] >= 0
    assert len(list((run_dirs[0] / "wandb").glob("offline-run-*"))) == 1


def test_cli_multirun_over_two_values(tmp_path):
    run("suite-train", "-m", *ARGS, "model.decoder.cell=lstm,gru", cwd=tmp_path)
    sweeps = list((tmp_path / "multirun" / "captioning").iterdir())
    assert len(sweeps) == 1
    jobs = sorted(p for p in sweeps[0].iterdir() if p.is_dir() and p.name.isdigit())
    assert [j.name for j in jobs] == ["0", "1"]
    cells = []
    for job in jobs:
        assert "val/bleu4" in json.loads((job / "metrics.json").read_text())
        cells.append((job / ".hydra" / "overrides.yaml").read_text())
    assert "cell=lstm" in cells[0] and "cell=gru" in cells[1]
