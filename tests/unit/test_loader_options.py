"""DataLoader settings come from the data config through one helper, with defaults for old configs."""
import pytest
import torch

from suite.data.loader_options import loader_kwargs
from suite.errors import UserError


def test_absent_keys_default_for_old_checkpoint_configs():
    assert loader_kwargs({}) == {"num_workers": 0, "pin_memory": torch.cuda.is_available(),
                                 "persistent_workers": False}


def test_auto_pins_only_with_cuda_and_keeps_workers_when_there_are_some(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert loader_kwargs({"num_workers": 2, "pin_memory": "auto", "persistent_workers": "auto"}) == {
        "num_workers": 2, "pin_memory": True, "persistent_workers": True}
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert loader_kwargs({"num_workers": 2, "pin_memory": None})["pin_memory"] is False


def test_explicit_values_win_and_persistence_needs_workers():
    kw = loader_kwargs({"num_workers": 3, "pin_memory": True, "persistent_workers": False})
    assert kw == {"num_workers": 3, "pin_memory": True, "persistent_workers": False}
    assert loader_kwargs({"num_workers": 0, "persistent_workers": True})["persistent_workers"] is False


@pytest.mark.parametrize("data, key", [({"num_workers": -1}, "data.num_workers"), ({"num_workers": "two"}, "data.num_workers"),
                                       ({"pin_memory": "yes"}, "data.pin_memory=yes")])
def test_bad_values_are_one_clear_line(data, key):
    with pytest.raises(UserError, match=key) as err:
        loader_kwargs(data)
    assert "\n" not in str(err.value) and "set data." in str(err.value)


def test_a_datamodule_passes_the_settings_to_its_loaders(tmp_path, monkeypatch):
    from suite.config import to_plain
    from tasks.forecast.datamodule import ForecastDataModule
    from tests.conftest import compose_train

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    cfg = compose_train(tmp_path, ["task=forecast", "data.num_workers=1", "data.pin_memory=true",
                                   "data.persistent_workers=false", "threads=1"])
    dm = ForecastDataModule(to_plain(cfg.data))
    dm.setup("fit")
    for loader in (dm.train_dataloader(), dm.val_dataloader()):
        assert (loader.num_workers, loader.pin_memory, loader.persistent_workers) == (1, True, False)
