"""budget= with resume=auto (the time already spent is kept) and under DDP (two ranks stop together)."""
import json
import time

import torch

from tests.conftest import TINY_TRANSLATION
from tests.integration.cli import kill_after_first_checkpoint, run

BUDGET = 16  # seconds: a few tiny epochs (1-2 s each), long enough to kill the run in the middle


def _timer_seconds(ckpt) -> float:
    state = torch.load(ckpt, weights_only=True)["callbacks"]
    return next(v for k, v in state.items() if k.startswith("Timer"))["time_elapsed"]["train"]


def test_a_budgeted_run_killed_and_resumed_spends_only_what_was_left(tmp_path):
    # epochs of 3 steps: a checkpoint every second or two, well before the budget ends
    args = [*TINY_TRANSLATION, "trainer.limit_train_batches=3", "model.decode.beam_size=1", f"budget={BUDGET}s",
            "resume=auto"]
    last = kill_after_first_checkpoint(args, tmp_path, "translation", wait=1.0)  # into the next epoch
    spent = _timer_seconds(last)
    assert 0 < spent < BUDGET, "the run finished before it could be killed"
    start = time.monotonic()
    again = run("suite-train", *args, cwd=tmp_path, timeout=400)
    assert f"resuming from {last}" in again.stdout + again.stderr
    final = _timer_seconds(last)
    assert BUDGET - 1 <= final <= BUDGET + 15  # both processes' training time, counted once (+ a last validation)
    # the second process trains only what was left (plus start-up, validation and the test)
    assert time.monotonic() - start < (BUDGET - spent) + 60
    metrics = json.loads((last.parent.parent / "metrics.json").read_text())
    assert "test/bleu" in metrics


def test_a_budget_under_ddp_stops_both_ranks_and_tests(tmp_path):
    proc = run("suite-train", *TINY_TRANSLATION, "trainer=ddp_cpu", "trainer.devices=2", "budget=12s",
               "trainer.limit_train_batches=3", "model.decode.beam_size=1", cwd=tmp_path, timeout=400)
    assert "MEMBER: 2/2" in proc.stdout + proc.stderr
    run_dir = next(p for p in (tmp_path / "outputs" / "translation").iterdir() if p.is_dir())
    ckpt = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["global_step"] > 3  # debug=tiny's one epoch (3 steps here) was lifted by the budget
    assert ckpt["optimizer_states"][0]["param_groups"][0]["lr"] < 0.25 * 0.003  # the schedule ended with it
    assert "test/bleu" in json.loads((run_dir / "metrics.json").read_text())
