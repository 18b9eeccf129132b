"""budget= parsing, the warm-up + cosine shape, and the under-training sentence."""
import pytest

from suite.budget import parse_budget, warmup_cosine
from suite.callbacks.convergence import trend_line
from suite.errors import UserError


@pytest.mark.parametrize("spec, seconds", [("90s", 90), ("15m", 900), ("2h", 7200), ("1h30m", 5400), ("45", 45)])
def test_budgets_parse(spec, seconds):
    assert parse_budget(spec) == seconds


@pytest.mark.parametrize("spec", ["abc", "15 minutes", "0s", "m15", ""])
def test_bad_budgets_are_one_line_errors(spec):
    with pytest.raises(UserError, match="budget="):
        parse_budget(spec)


def test_schedule_warms_up_then_reaches_zero_at_the_end():
    assert warmup_cosine(0.0, 0.1) == pytest.approx(0.04)
    assert warmup_cosine(0.1, 0.1) == pytest.approx(1.0)
    assert warmup_cosine(0.55, 0.1) == pytest.approx(0.5)
    assert warmup_cosine(1.0, 0.1) == pytest.approx(0.0, abs=1e-12)
    assert warmup_cosine(1.7, 0.1) == pytest.approx(0.0, abs=1e-12)  # past the estimate: stays at zero
    values = [warmup_cosine(p / 100, 0.1) for p in range(10, 101)]
    assert all(a >= b for a, b in zip(values, values[1:]))  # decays monotonically after warm-up


def test_under_training_is_said_only_while_the_metric_still_moves():
    rising = trend_line([0.5, 0.4, 0.3, 0.25, 0.2], "val/wer", "min")
    assert rising.startswith("val/wer improved 50% over the last 3 validations: the run may be under-trained")
    flat = trend_line([0.5, 0.2, 0.2, 0.2005, 0.2], "val/wer", "min")
    assert "levelled off" in flat and "under-trained" not in flat
    assert "under-trained" in trend_line([10, 20, 30, 40], "val/bleu", "max")
    assert trend_line([0.3, 0.2], "val/wer", "min") is None  # too few validations to judge
