"""Test-wide settings: 2 CPU threads, a private data cache, W&B offline and quiet, tiny configs."""
from __future__ import annotations

import os

# two cores: one test process uses both; two xdist workers (make test) take one each, since two
# torch threads per worker would wait for each other on an oversubscribed CPU
THREADS = 1 if os.environ.get("PYTEST_XDIST_WORKER") else 2
os.environ["OMP_NUM_THREADS"] = str(THREADS)  # subprocesses (the CLI tests) inherit it
os.environ["WANDB_MODE"] = "offline"
os.environ["WANDB_SILENT"] = "true"
os.environ.pop("WANDB_API_KEY", None)
os.environ["HYDRA_FULL_ERROR"] = "1"

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(THREADS)

from tests.tiny import tiny  # noqa: E402

TINY_CAPTIONING = tiny("captioning")  # kept for the tests that name them
TINY_TRANSLATION = tiny("translation")


@pytest.fixture(scope="session", autouse=True)
def data_cache(tmp_path_factory):
    """One synthetic-data cache for the whole session (subprocesses inherit it)."""
    path = tmp_path_factory.mktemp("data_cache")
    os.environ["SUITE_CACHE_DIR"] = str(path)
    return path


def compose_train(run_dir, overrides=()):
    """The real conf/train.yaml composed as the CLI would, with run_dir set."""
    from hydra import compose, initialize_config_dir

    from suite.config import CONF_DIR

    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        return compose("train", overrides=[*overrides, f"run_dir={run_dir}"])
