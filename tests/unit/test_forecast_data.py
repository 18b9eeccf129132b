"""Forecast: the csv_series reader on real-format fixtures, baselines and metrics on hand-worked
series, and a scaler fitted on train only."""
import math

import pytest
import torch

from suite.errors import UserError
from tasks.forecast.datamodule import ForecastDataModule
from tasks.forecast.readers import read_csv_series
from tasks.forecast.windows import (
    errors,
    naive,
    seasonal_naive,
    split_points,
    summarise,
    windows,
)
from tests.fixtures.series_formats import (
    series_datamodule,
    write_bad_cell_csv,
    write_series_csv,
)

VALUES = [112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118, 115.5, 126, 141]


def test_reads_the_named_column_in_date_order(tmp_path):
    path = write_series_csv(tmp_path / "air.csv", VALUES, shuffle_rows=True)
    s = read_csv_series(path, "Passengers", "Month")
    assert s.values == pytest.approx(VALUES) and s.dates[:2] == ["1949-01", "1949-02"]
    assert any("sorted" in n for n in s.notes)
    plain = read_csv_series(write_series_csv(tmp_path / "plain.csv", VALUES, column="y", date_column=None), "y")
    assert plain.values == pytest.approx(VALUES) and plain.dates == []


def test_missing_column_is_one_line_naming_file_and_columns(tmp_path):
    path = write_series_csv(tmp_path / "air.csv", VALUES)
    with pytest.raises(UserError) as err:
        read_csv_series(path, "passengers")
    msg = str(err.value)
    assert "\n" not in msg and str(path) in msg and "'passengers'" in msg and "Month, Passengers, note" in msg
    assert "data.column=" in msg


@pytest.mark.parametrize("cell", ["n/a", "", "nan", "inf", "-Infinity"])
def test_non_numeric_or_non_finite_cell_names_file_and_line(tmp_path, cell):
    path = write_bad_cell_csv(tmp_path / "bad.csv", bad_row=6, cell=cell)
    with pytest.raises(UserError) as err:
        read_csv_series(path, "Passengers")
    msg = str(err.value)
    assert "\n" not in msg and f"{path} line 8" in msg and ("not a number" in msg or "not a finite number" in msg)


def test_bad_date_and_empty_file_are_one_line(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("Month,v\n1949-01,1\nsoon,2\n")
    with pytest.raises(UserError, match=r"d.csv line 3: 'Month' holds 'soon', not a date"):
        read_csv_series(path, "v", "Month")
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(UserError, match=r"e.csv is empty"):
        read_csv_series(tmp_path / "e.csv", "v")


def test_naive_and_seasonal_naive_on_a_hand_worked_series():
    x = torch.tensor([[1.0, 2, 3, 4, 5, 6]])  # season 3: ... 4 5 6 | next season should repeat 4 5 6
    assert naive(x, 4).tolist() == [[6, 6, 6, 6]]
    assert seasonal_naive(x, 4, season=3).tolist() == [[4, 5, 6, 4]]  # step 4 reaches back two seasons
    with pytest.raises(UserError, match="data.window"):
        seasonal_naive(x[:, :3], 2, season=4)  # a window shorter than a season has no value to copy


def test_mae_rmse_smape_on_hand_worked_numbers():
    m = summarise({k: float(v) for k, v in errors(torch.tensor([1.0, 2.0]), torch.tensor([2.0, 4.0])).items()})
    assert m["mae"] == pytest.approx(1.5) and m["rmse"] == pytest.approx(math.sqrt(2.5))
    assert m["smape"] == pytest.approx(100 * (2 * 1 / 3 + 2 * 2 / 6) / 2)


def test_chronological_windows_never_read_the_future():
    val_start, test_start = split_points(100, 0.15, 0.15)
    assert (val_start, test_start) == (70, 85)
    w = windows(list(range(100)), 10, 3, val_start, test_start)
    assert w[0] == (60, 70) and w[-1] == (72, 82)  # targets 70..84 stay in val; inputs reach back into train
    assert all(t + 3 <= test_start and i + 10 == t for i, t in w)



def test_scaler_is_fitted_on_the_train_part_only(tmp_path):
    train = [float(i % 3) for i in range(60)]
    a = series_datamodule(write_series_csv(tmp_path / "a.csv", train + [1000.0] * 40))
    b = series_datamodule(write_series_csv(tmp_path / "b.csv", train + [-5.0] * 40))
    t = torch.tensor(train)
    scaler = a.meta.scaler
    assert scaler.mean == pytest.approx(float(t.mean())) and scaler.std == pytest.approx(float(t.std()))
    assert scaler == b.meta.scaler  # what comes after train cannot move it
    x_raw = a.items["test"][0]["x_raw"].unsqueeze(0)  # (1, W): test windows are scaled with train's std
    x, _ = a.meta.transform().encode(x_raw)
    assert torch.allclose(x, (x_raw.double() - x_raw[:, -1:]) / scaler.std)  # the default: relative to the last value


def test_metadata_is_plain_data_that_rebuilds_the_same_windows(tmp_path):
    a = series_datamodule(write_series_csv(tmp_path / "a.csv", [float(i % 5) + i / 10 for i in range(100)]))
    torch.save(a.metadata().to_dict(), tmp_path / "meta.pt")
    saved = torch.load(tmp_path / "meta.pt", weights_only=True)  # as a checkpoint stores it
    assert (saved["scaler"], saved["window"], saved["horizon"], saved["season"], saved["column"]) == (
        a.meta.scaler.to_dict(), 6, 2, 3, "Passengers")
    again = ForecastDataModule(saved["data"], meta=saved)  # suite-eval rebuilds it so
    again.setup("test")
    assert again.meta == a.meta and len(again.items["test"]) == len(a.items["test"])


def test_a_batch_holds_scaled_and_raw_windows_named_by_their_first_target_step(tmp_path):
    values = [float(i) for i in range(100)]
    dm = series_datamodule(write_series_csv(tmp_path / "a.csv", values))
    batch = next(iter(dm.val_dataloader()))  # val targets start at step 60 (split_points(100, 0.2, 0.2))
    assert batch["x_raw"].shape == (4, 6) and batch["y_raw"].shape == (4, 2)  # original units: the module transforms
    assert batch["ids"] == [60, 61, 62, 63] and batch["size"] == 4
    assert batch["x_raw"][0].tolist() == values[54:60] and batch["y_raw"][0].tolist() == values[60:62]


def test_too_short_series_is_one_clear_line(tmp_path):
    with pytest.raises(UserError, match=r"too few for data.window=6 \+ data.horizon=2"):
        series_datamodule(write_series_csv(tmp_path / "s.csv", VALUES[:10]))
