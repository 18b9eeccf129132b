"""Forecast transforms (log, seasonal differencing, per-window centring and scaling): each option
inverts exactly, a zero output is the forecast each option promises, and bad options or values are
one line."""
import itertools

import pytest
import torch

from suite.errors import UserError
from tasks.forecast.datamodule import ForecastDataModule
from tasks.forecast.transform import CENTERS, SCALES, WindowTransform
from tasks.forecast.windows import naive, seasonal_naive
from tests.fixtures.series_formats import series_datamodule, write_series_csv

SEASON = 4


def windows_and_targets(horizon: int):
    g = torch.Generator().manual_seed(0)
    raw = 50 + 40 * torch.rand(6, 11, generator=g, dtype=torch.float64)  # (B, W): positive, for the log
    targets = 50 + 40 * torch.rand(6, horizon, generator=g, dtype=torch.float64)  # (B, H)
    return raw, targets


def fitted(**options) -> WindowTransform:
    train = 50 + 40 * torch.rand(60, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    return WindowTransform.fit(train, season=SEASON, **options)


OPTIONS = [dict(log=log, seasonal_diff=diff, center=center, scale=scale)
           for log, diff, center, scale in itertools.product((False, True), (False, True), CENTERS, SCALES)]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
@pytest.mark.parametrize("horizon", [1, 9])  # 9 > 2 seasons: differencing reads back its own forecast steps
def test_targets_round_trip_exactly(options, horizon):
    t = fitted(**options)
    raw, targets = windows_and_targets(horizon)
    x, ctx = t.encode(raw)
    assert x.shape == (6, 11 - SEASON if options["seasonal_diff"] else 11)  # (B, W')
    back = t.decode(t.encode_targets(targets, ctx), ctx)  # (B, H)
    assert torch.allclose(back, targets, rtol=0, atol=1e-9)
    assert not torch.allclose(t.encode_targets(targets, ctx), targets)  # the identity would pass the round trip too


@pytest.mark.parametrize("log", [False, True])
def test_a_zero_output_is_seasonal_naive_with_differencing_and_naive_relative_to_the_last_value(log):
    raw, _ = windows_and_targets(1)
    diff = fitted(log=log, seasonal_diff=True, center="none", scale="train")
    x, ctx = diff.encode(raw)
    zero = torch.zeros(6, 9)
    assert torch.allclose(diff.decode(zero, ctx), seasonal_naive(raw, 9, SEASON), rtol=1e-12)  # step 9 two seasons back
    last = fitted(log=log, seasonal_diff=False, center="last", scale="window")
    _, ctx = last.encode(raw)
    assert torch.allclose(last.decode(zero, ctx), naive(raw, 9), rtol=1e-12)


def test_train_statistics_are_those_of_the_differenced_log_series():
    train = torch.tensor([float(2 ** (i // SEASON)) for i in range(12)], dtype=torch.float64)  # x4 a season
    t = WindowTransform.fit(train, log=True, seasonal_diff=True, season=SEASON, center="none", scale="train")
    assert t.mean == pytest.approx(float(torch.log(torch.tensor(2.0)))) and t.std == 1.0  # constant: still scales


def test_a_flat_window_divides_by_a_tenth_of_the_train_std_not_by_zero():
    t = fitted(log=False, seasonal_diff=False, center="mean", scale="window")
    x, ctx = t.encode(torch.full((1, 11), 70.0, dtype=torch.float64))
    assert float(ctx.scale) == pytest.approx(0.1 * t.std) and torch.equal(x, torch.zeros(1, 11, dtype=torch.float64))


def test_log_of_a_non_positive_value_is_one_line():
    t = fitted(log=True, seasonal_diff=False, center="last", scale="train")
    with pytest.raises(UserError) as err:
        t.encode(torch.tensor([[3.0, 0.0, 2.0]]))
    assert "\n" not in str(err.value) and "data.log=true needs positive values" in str(err.value)
    assert "data.log=false" in str(err.value)



def test_a_csv_with_a_non_positive_value_and_data_log_names_file_step_and_date(tmp_path):
    values = [10.0 + i for i in range(40)]
    values[25] = -1.0
    path = write_series_csv(tmp_path / "s.csv", values)
    with pytest.raises(UserError) as err:
        series_datamodule(path, log=True)
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg and "step 26 (1951-02)" in msg and "holds -1" in msg
    assert series_datamodule(path).meta.log is False  # without the log the same file trains


def test_seasonal_diff_needs_a_window_longer_than_a_season_and_unknown_options_are_one_line(tmp_path):
    path = write_series_csv(tmp_path / "s.csv", [10.0 + i for i in range(40)])
    with pytest.raises(UserError, match=r"raise data.window above data.season=6"):
        series_datamodule(path, seasonal_diff=True, season=6)
    with pytest.raises(UserError, match=r"data.center=median is not one of last, mean, train, none"):
        series_datamodule(path, center="median")
    dm = series_datamodule(path, log=True, seasonal_diff=True, center="none", scale="window")
    saved = dm.metadata().to_dict()  # the options travel in the checkpoint with the train statistics
    assert (saved["log"], saved["seasonal_diff"], saved["center"], saved["scale"]) == (True, True, "none", "window")
    assert ForecastDataModule(saved["data"], meta=saved).meta.transform() == dm.meta.transform()
