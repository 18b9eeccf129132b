"""Summarization end to end: both models train on the synthetic default through train(cfg), the
pointer-generator beats Lead and reproduces unseen entities, the three real readers train on
their fixtures, predict works from the checkpoint alone (text, file, JSONL; over-long documents
are cut with a warning), and bad input ends in one clear line."""
import json
import logging

import numpy as np
import pytest
import torch
from omegaconf import OmegaConf
from PIL import Image

from suite.engine import predict, train
from suite.errors import UserError
from tasks.summarization.attention_plot import attended_window
from tests.conftest import compose_train
from tests.fixtures.summarization_formats import write_article_title, write_csv, write_jsonl
from tests.integration.cli import error_line, run
from tests.tiny import tiny

KEYS = ("rouge1", "rouge2", "rougeL", "rougeLsum", "rouge2_lead", "repeated_trigrams")
# a few more steps than the smoke run: enough for the copy mechanism to work (measured: ~3 s of training)
LEARN = ("trainer.max_epochs=6", "model.optimizer.lr=0.01", "model.coverage.start_step=40")


@pytest.fixture(scope="module")
def learned(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("pg")
    metrics = train(compose_train(run_dir, tiny("summarization", *LEARN)))
    return run_dir, metrics


def test_pointer_generator_beats_lead_and_copies_unseen_entities(learned):
    run_dir, metrics = learned
    assert json.loads((run_dir / "metrics.json").read_text()) == pytest.approx(metrics)
    assert all(f"test/{k}" in metrics for k in KEYS)
    # learning check: the test names and numbers were never in training, so only copying gets them
    assert metrics["test/rouge2"] > metrics["test/rouge2_lead"] + 10.0, metrics
    assert metrics["test/oov_recall"] > 0.5 and metrics["test/copy_prob"] > 0.2, metrics
    ckpt = torch.load(run_dir / "checkpoints" / "last.ckpt", weights_only=True)
    assert ckpt["suite"]["task"] == "summarization" and "vocab" in ckpt["hyper_parameters"]["meta"]


def test_attention_baseline_trains_and_cannot_copy(tmp_path):
    metrics = train(compose_train(tmp_path, tiny("summarization", "model=attention_seq2seq", "model.cell=gru",
                                                 "model.decode.beam_size=1", "model.decode.no_repeat_ngram_size=3")))
    assert all(0.0 <= metrics[f"test/{k}"] <= 100.0 for k in KEYS)
    assert metrics["test/oov_recall"] == 0.0 and metrics["test/copy_prob"] == 0.0


def tiny_real(*extra: str) -> list[str]:
    """The tiny sizes without the synthetic generator's data.n_* (real data has no such keys)."""
    return [o for o in tiny("summarization", *extra) if not o.startswith("data.n_")]


def _fixture_data(kind: str, root):
    if kind == "article_title":
        write_article_title(root / "gw", gz=True)
        return ["data=article_title", f"data.root={root / 'gw'}"]
    if kind == "jsonl_pairs":
        write_jsonl(root / "train.jsonl", bad_json_at=1)
        write_jsonl(root / "test.jsonl", n=4, start=30)
        return ["data=jsonl_pairs", f"data.train={root / 'train.jsonl'}", f"data.test={root / 'test.jsonl'}"]
    write_csv(root / "train.tsv", delimiter="\t")
    return ["data=csv_pairs", f"data.train={root / 'train.tsv'}"]


@pytest.mark.parametrize("kind", ["article_title", "jsonl_pairs", "csv_pairs"])
def test_real_readers_train_end_to_end(tmp_path, kind):
    overrides = tiny_real(*_fixture_data(kind, tmp_path), "data.batch_size=8", "model.decode.max_len=6",
                          "model.cell=rnn" if kind == "csv_pairs" else "model.cell=lstm")
    metrics = train(compose_train(tmp_path / "run", overrides))
    assert "val/rouge2" in metrics and ("test/rouge2_lead" in metrics) == (kind != "csv_pairs")


def _predict_cfg(ckpt, input, **kw):
    return OmegaConf.create({"ckpt_path": str(ckpt), "input": str(input), "output": "text",
                             "beam_size": None, "batch_size": 4, "seed": 0, "threads": None, **kw})


def test_predict_text_file_and_jsonl_copy_unseen_names(learned, tmp_path, caplog):
    ckpt = learned[0] / "checkpoints" / "last.ckpt"
    doc = "On Monday , Quonzel Holdings sold 9321 delivery vans in Leeds . The shares rose in early trading ."
    (tmp_path / "docs.txt").write_text(f"{doc}\n\n{doc.replace('Quonzel', 'Vetrix')}\n", encoding="utf-8")
    rows = predict(_predict_cfg(ckpt, tmp_path / "docs.txt"))
    assert len(rows) == 2 and "<unk>" not in rows[0]["text"]
    assert "Quonzel" in rows[0]["copied"] and "Vetrix" in rows[1]["text"]  # unseen names come out as themselves
    (tmp_path / "docs.jsonl").write_text(json.dumps({"document": doc, "id": 1}) + "\n", encoding="utf-8")
    assert predict(_predict_cfg(ckpt, tmp_path / "docs.jsonl", beam_size=1))[0]["input"] == doc
    with caplog.at_level(logging.WARNING):
        long_rows = predict(_predict_cfg(ckpt, " ".join([doc] * 10)))  # 200 tokens, data.max_doc_len=80
    assert len(long_rows) == 1 and "more than data.max_doc_len=80 tokens: summarising its first 80" in caplog.text


def _shaded(path) -> int:
    """Pixels of the heatmap's blue shades (neither white nor grey text): 0 for a blank image."""
    with Image.open(path) as img:
        rgb = np.asarray(img.convert("RGB"), dtype=int)  # (H, W, 3)
    return int((rgb[..., 2] - rgb[..., 0] > 30).sum())


def test_predict_saves_one_attention_png_per_document(learned, tmp_path):
    ckpt = learned[0] / "checkpoints" / "last.ckpt"
    doc = "On Monday , Quonzel Holdings sold 9321 delivery vans in Leeds . The shares rose in early trading ."
    # the second document (76 words) is wider than the heatmap's 60 columns: its most attended window is drawn
    (tmp_path / "docs.txt").write_text(f"{doc}\n{' '.join([doc.replace('Quonzel', 'Vetrix')] * 4)}\n", encoding="utf-8")
    rows = [json.loads(line) for line in run(
        "suite-predict", f"ckpt_path={ckpt}", f"input={tmp_path / 'docs.txt'}", "output=json",
        "save_attention=true", f"out_dir={tmp_path / 'att'}").stdout.strip().splitlines()]
    pngs = sorted((tmp_path / "att").glob("*.png"))
    assert len(rows) == 2 and [r["attention"] for r in rows] == [str(p) for p in pngs]
    assert all(_shaded(p) > 100 for p in pngs), [_shaded(p) for p in pngs]
    assert predict(_predict_cfg(ckpt, doc, out_dir=str(tmp_path / "off")))[0].keys() == {"input", "text", "copied"}
    assert not (tmp_path / "off").exists()  # save_attention defaults to false: nothing written


def test_attended_window_holds_the_most_attention():
    alphas = torch.full((3, 100), 0.001)  # (T, S)
    alphas[:, 70:76] = 0.2
    first, last = attended_window(alphas, width=20)
    assert last - first == 20 and first <= 70 and last >= 76
    assert attended_window(alphas[:, :15], width=20) == (0, 15)  # a short document is drawn whole


def test_bad_predict_input_is_one_clear_line(learned, tmp_path):
    ckpt = learned[0] / "checkpoints" / "last.ckpt"
    (tmp_path / "bad.jsonl").write_text('{"document": "a b c"}\n{"text": "no document key"}\n', encoding="utf-8")
    with pytest.raises(UserError, match="line 2 has no 'document' text"):
        predict(_predict_cfg(ckpt, tmp_path / "bad.jsonl"))
    proc = run("suite-predict", f"ckpt_path={ckpt}", "input=' '", check=False)
    assert proc.returncode == 2 and "input is empty" in error_line(proc)


def test_mismatched_article_title_files_are_one_clear_line(tmp_path):
    write_article_title(tmp_path / "gw", mismatch=True)
    with pytest.raises(UserError, match="train.article.txt has 12 lines but train.title.txt has 11"):
        train(compose_train(tmp_path, tiny_real("data=article_title", f"data.root={tmp_path / 'gw'}")))
