"""What a logger receives: losses, metrics, learning rate and the gradient norm (CSV logger files)."""
import csv
import json

import yaml

from suite.engine import train
from tests.conftest import TINY_TRANSLATION, compose_train


def test_logger_gets_loss_metrics_learning_rate_and_gradient_norm(tmp_path):
    train(compose_train(tmp_path, [*TINY_TRANSLATION, "logger=csv"]))  # after debug=tiny's logger=none: wins
    rows = list(csv.DictReader((tmp_path / "csv" / "version_0" / "metrics.csv").open()))
    logged = {k for row in rows for k, v in row.items() if v not in ("", None)}
    assert {"train/loss", "train/grad_norm", "val/bleu", "val/loss"} <= logged
    assert any(k.startswith("lr-") for k in logged)
    hparams = yaml.safe_load((tmp_path / "csv" / "version_0" / "hparams.yaml").read_text())
    assert hparams["task"]["name"] == "translation" and hparams["trainer"]["gradient_clip_val"] == 5.0
    assert "meta" not in hparams  # vocabularies stay in the checkpoint, out of the dashboard
    norms = [float(r["train/grad_norm"]) for r in rows if r.get("train/grad_norm")]
    assert len(norms) >= 5 and all(n > 0 for n in norms)  # logged every step here (log_every_n_steps=1)


def test_translation_wandb_table_has_attention_overlays(tmp_path):
    train(compose_train(tmp_path, [*TINY_TRANSLATION, "logger=wandb"]))
    (run,) = (tmp_path / "wandb").glob("offline-run-*")
    tables = list(run.glob("files/media/table/val/predictions_*.table.json"))
    assert tables and json.loads(tables[0].read_text())["columns"] == ["source", "reference", "hypothesis",
                                                                       "attention"]
    assert list(run.glob("files/media/images/val/predictions/attention_*.png"))  # the heatmaps themselves
