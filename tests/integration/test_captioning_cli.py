"""train -> eval -> predict from the checkpoint alone, through the console scripts; W&B files."""
import json

import pytest
from PIL import Image

from tests.integration.cli import error_line, run
from tests.tiny import tiny

TRAIN_ARGS = tiny("captioning", "logger=wandb", "trainer.max_epochs=2")  # the default logger: W&B, offline


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One CLI training run with the default logger (W&B, offline), reused by the tests below."""
    run_dir = tmp_path_factory.mktemp("cli") / "run"
    proc = run("suite-train", *TRAIN_ARGS, f"hydra.run.dir={run_dir}")
    return run_dir, proc


def test_run_dir_layout(trained):
    run_dir, _ = trained
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert {"val/bleu4", "val/cider", "test/bleu4", "test/cider"} <= set(metrics)
    # the synthetic scenes are stored: relation accuracy beside the image- and layout-blind baselines'
    for split in ("val", "test"):
        for name in ("relation_acc", "object_acc"):
            for suffix in ("", "_image_blind", "_layout_blind"):
                assert 0.0 <= metrics[f"{split}/{name}{suffix}"] <= 1.0, (split, name, suffix)
        assert metrics[f"{split}/object_acc_layout_blind"] == 1.0  # it knows the objects, not the layout
        assert metrics[f"{split}/relation_acc_layout_blind"] < 1.0
        assert 0.0 <= metrics[f"{split}/bleu4_image_blind"] < metrics[f"{split}/bleu4_layout_blind"] <= 100.0
    assert (run_dir / ".hydra" / "config.yaml").is_file()
    assert (run_dir / "checkpoints" / "last.ckpt").is_file()


def test_wandb_offline_run_holds_the_prediction_table(trained):
    run_dir, _ = trained
    runs = list((run_dir / "wandb").glob("offline-run-*"))
    assert len(runs) == 1
    tables = sorted(runs[0].glob("files/media/table/val/predictions_*.table.json"))
    assert len(tables) == 2  # one per validation (2 epochs)
    table = json.loads(tables[-1].read_text())
    assert table["columns"] == ["image", "references", "caption", "attention"]
    assert len(table["data"]) == 12  # every validation image (max_examples is 16)
    for column in ("image", "attention"):  # the images themselves, captioned, per validation
        images = list(runs[0].glob(f"files/media/images/val/predictions/{column}_*.png"))
        assert len(images) == 2 * 12, column


def test_eval_from_the_checkpoint_alone(trained, tmp_path):
    run_dir, _ = trained
    best = next((run_dir / "checkpoints").glob("best-*.ckpt"))
    proc = run("suite-eval", f"ckpt_path={best}", f"hydra.run.dir={tmp_path}", "trainer.enable_progress_bar=false")
    printed = json.loads(proc.stdout[proc.stdout.index("{"):])
    written = json.loads((run_dir / "metrics.json").read_text())
    assert printed["test/bleu4"] == pytest.approx(written["test/bleu4"], abs=1e-4)
    assert printed["test/cider"] == pytest.approx(written["test/cider"], abs=1e-3)
    for name in ("relation_acc", "relation_acc_layout_blind", "bleu4_layout_blind"):
        assert printed[f"test/{name}"] == pytest.approx(written[f"test/{name}"], abs=1e-6), name


def test_predict_prints_captions_and_attention(trained, tmp_path):
    run_dir, _ = trained
    folder = tmp_path / "imgs"
    folder.mkdir()
    for i, colour in enumerate(["red", "blue"]):
        Image.new("RGB", (80, 60), colour).save(folder / f"{i}.jpg")
    ckpt = run_dir / "checkpoints" / "last.ckpt"
    text = run("suite-predict", f"ckpt_path={ckpt}", f"input={folder / '0.jpg'}").stdout.strip().splitlines()
    assert len(text) == 1 and text[0] and not text[0].startswith("{")
    out = run("suite-predict", f"ckpt_path={ckpt}", f"input={folder}", "output=json", "beam_size=1",
              "save_attention=true", f"out_dir={tmp_path / 'att'}").stdout.strip().splitlines()
    rows = [json.loads(line) for line in out]
    assert [r["input"].rsplit("/", 1)[-1] for r in rows] == ["0.jpg", "1.jpg"]
    assert all(isinstance(r["text"], str) for r in rows)
    for r in rows:
        assert Image.open(r["attention"]).size[0] > 0


def test_predict_on_a_file_that_is_not_an_image_is_one_clear_line(trained, tmp_path):
    run_dir, _ = trained
    bad = tmp_path / "notes.jpg"
    bad.write_text("this is not an image")
    proc = run("suite-predict", f"ckpt_path={run_dir / 'checkpoints' / 'last.ckpt'}", f"input={bad}", check=False)
    assert proc.returncode == 2
    line = error_line(proc)
    assert "notes.jpg" in line and "image" in line


def test_predict_refuses_a_missing_checkpoint(tmp_path):
    proc = run("suite-predict", f"ckpt_path={tmp_path / 'nope.ckpt'}", "input=x.jpg", check=False)
    assert proc.returncode == 2 and "not found" in error_line(proc)


@pytest.mark.parametrize("args, expected", [
    (["data=nope"], "use one of data="),
    (["data=flickr8k"], "needs data.root"),
    (["data=flickr8k", "data.root=/does/not/exist"], "/does/not/exist"),
    (["model.decoder.hiden_size=3"], "hiden_size"),
])
def test_user_errors_end_in_one_line_with_exit_code_2(args, expected, tmp_path):
    proc = run("suite-train", *args, f"hydra.run.dir={tmp_path}", "logger=none", check=False)
    assert proc.returncode == 2, proc.stderr
    assert expected in error_line(proc)


def test_debug_true_shows_the_traceback(tmp_path):
    proc = run("suite-train", "data=flickr8k", "debug=true", f"hydra.run.dir={tmp_path}", "logger=none", check=False)
    assert proc.returncode != 0 and "Traceback" in proc.stderr
