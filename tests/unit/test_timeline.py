"""timeline.json: a resumed run continues it, a fresh run in the same dir starts it anew."""
import json
from types import SimpleNamespace

from suite.callbacks.timeline import Timeline


def _stale(run_dir):
    (run_dir / "timeline.json").write_text(json.dumps([{"minutes": 2.0, "epoch": 0, "step": 10}]))


def test_a_fresh_run_ignores_an_old_timeline_in_its_dir(tmp_path):
    _stale(tmp_path)
    timeline = Timeline(tmp_path)
    timeline.on_fit_start(SimpleNamespace(ckpt_path=None), None)
    assert timeline.rows == []


def test_a_resumed_run_continues_the_timeline_and_its_clock(tmp_path):
    _stale(tmp_path)
    timeline = Timeline(tmp_path)
    start = timeline.start
    timeline.on_fit_start(SimpleNamespace(ckpt_path=str(tmp_path / "last.ckpt")), None)
    assert [r["epoch"] for r in timeline.rows] == [0]
    assert abs((start - timeline.start) - 120.0) < 1e-6  # minutes carry on from 2.0
