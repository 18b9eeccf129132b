"""Test-wide settings: 2 CPU threads, a private data cache, W&B offline and quiet, tiny configs."""
from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ["WANDB_MODE"] = "offline"
os.environ["WANDB_SILENT"] = "true"
os.environ.pop("WANDB_API_KEY", None)
os.environ["HYDRA_FULL_ERROR"] = "1"

import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(2)

# A captioning run that takes seconds: few tiny scenes, a tiny model, one short epoch.
TINY_CAPTIONING = [
    "task=captioning",
    "data.n_train=48", "data.n_val=12", "data.n_test=12", "data.batch_size=8", "data.num_workers=0",
    "model.encoder.channels=[8,8,16,16]", "model.decoder.embed_size=16", "model.decoder.hidden_size=32",
    "model.decoder.attention_size=16", "model.decode.max_len=12",
    "trainer.max_epochs=1", "trainer.accelerator=cpu", "trainer.devices=1", "trainer.enable_progress_bar=false",
    "trainer.enable_model_summary=false", "trainer.num_sanity_val_steps=0", "trainer.log_every_n_steps=1",
    "logger=none", "threads=2",
]


# The same for translation: a few hundred synthetic pairs and a tiny attention LSTM.
TINY_TRANSLATION = [
    "task=translation",
    "data.n_train=300", "data.n_val=20", "data.n_test=20", "data.batch_size=16",
    "model.encoder.embed_size=16", "model.encoder.hidden_size=16", "model.decoder.embed_size=16",
    "model.decoder.hidden_size=32", "model.decode.beam_size=2",
    "trainer.max_epochs=1", "trainer.accelerator=cpu", "trainer.devices=1", "trainer.enable_progress_bar=false",
    "trainer.enable_model_summary=false", "trainer.num_sanity_val_steps=0", "trainer.log_every_n_steps=1",
    "logger=none", "threads=2",
]


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
