"""A few steps of sentiment through train(cfg), per cell and pooling; the real readers through train too."""
import json

import pytest
import torch

from suite.engine import train
from tests.conftest import compose_train
from tests.fixtures.sentiment_formats import write_csv, write_imdb
from tests.tiny import tiny


@pytest.mark.parametrize("extra", [  # the default model trains in tests/integration/test_sentiment_cli.py
    ["model.encoder.cell=gru", "model.classifier.pooling=mean", "model.encoder.num_layers=2", "callbacks=gradient_flow"],
    ["model.encoder.cell=rnn", "model.classifier.pooling=last", "model.encoder.bidirectional=false"],
])
def test_train_writes_checkpoints_and_metrics(tmp_path, extra):
    metrics = train(compose_train(tmp_path, tiny("sentiment", *extra)))
    assert json.loads((tmp_path / "metrics.json").read_text()) == pytest.approx(metrics)
    for split in ("val", "test"):
        assert 0.0 <= metrics[f"{split}/acc"] <= 1.0 and 0.0 <= metrics[f"{split}/f1"] <= 1.0
    if "callbacks=gradient_flow" in extra:  # d loss / d h_t reaches back from the loss to the first steps
        curve = json.loads((tmp_path / "gradient_flow" / "epoch_000.json").read_text())["norms"]
        assert (tmp_path / "gradient_flow" / "epoch_000.png").is_file() and len(curve) > 3 and min(curve) > 0
    ckpt = torch.load(tmp_path / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["suite"]["task"] == "sentiment"
    meta = ckpt["hyper_parameters"]["meta"]
    assert meta["labels"] == ["negative", "positive"] and meta["words"]["itos"][:4] == ["<pad>", "<bos>", "<eos>", "<unk>"]
    assert meta["data"]["root"].startswith("/")  # absolute: suite-eval works from any directory


def test_imdb_and_csv_train_with_their_splits(tmp_path, caplog):
    write_imdb(tmp_path / "aclImdb", n=8, empty=1)
    overrides = [o for o in tiny("sentiment") if not o.startswith("data.n_")]
    caplog.set_level("INFO")
    metrics = train(compose_train(tmp_path / "a", [*overrides, "data=imdb", f"data.root={tmp_path / 'aclImdb'}",
                                                   "data.min_word_count=1"]))
    assert "test/acc" in metrics and "carved 10% of train as val" in caplog.text
    assert "skipped 1 unusable reviews" in caplog.text
    path = write_csv(tmp_path / "r.csv", [(f"{w} film {i}", lab) for i in range(30)
                                          for w, lab in (("good", "1"), ("bad", "0"))], header=("body", "stars"))
    metrics = train(compose_train(tmp_path / "b", [*overrides, "data=text_csv", f"data.path={path}",
                                                   "data.text_column=body", "data.label_column=stars"]))
    assert "val/acc" in metrics and "test/f1" in metrics
    ckpt = torch.load(tmp_path / "b" / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["hyper_parameters"]["meta"]["labels"] == ["0", "1"]
    assert ckpt["hyper_parameters"]["meta"]["data"]["path"] == str(path)


def test_a_single_label_in_train_is_one_line(tmp_path):
    from suite.errors import UserError

    path = write_csv(tmp_path / "r.csv", [(f"good film {i}", "pos") for i in range(20)])
    overrides = [o for o in tiny("sentiment") if not o.startswith("data.n_")]
    with pytest.raises(UserError) as err:
        train(compose_train(tmp_path / "run", [*overrides, "data=text_csv", f"data.path={path}"]))
    assert "\n" not in str(err.value) and "single label ('pos')" in str(err.value)


def test_wandb_gets_the_prediction_table_and_the_confusion_matrix(tmp_path):
    train(compose_train(tmp_path, tiny("sentiment", "logger=wandb")))
    (run,) = (tmp_path / "wandb").glob("offline-run-*")
    (table,) = run.glob("files/media/table/val/predictions_*.table.json")
    saved = json.loads(table.read_text())
    assert saved["columns"] == ["review", "label", "predicted"] and len(saved["data"]) == 16
    assert all(label in ("negative", "positive") and pred.split()[0] in ("negative", "positive")
               for _, label, pred in saved["data"])
    assert list(run.glob("files/media/images/val/confusion_matrix_*.png"))  # on_scored, once per validation
