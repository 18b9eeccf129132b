"""Activity: train (W&B offline) -> eval -> predict from the checkpoint alone, through the console scripts."""
import json

import pytest

from tests.fixtures.video_formats import write_video_folder
from tests.integration.cli import error_line, run
from tests.tiny import tiny

TRAIN_ARGS = tiny("activity", "logger=wandb")  # the default logger: W&B, offline


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One CLI training run with the default logger (W&B, offline), reused by the tests below."""
    run_dir = tmp_path_factory.mktemp("act") / "run"
    run("suite-train", *TRAIN_ARGS, f"hydra.run.dir={run_dir}")
    return run_dir


def test_run_dir_holds_metrics_confusion_images_and_the_wandb_clip_table(trained):
    metrics = json.loads((trained / "metrics.json").read_text())
    assert {"val/acc", "val/acc_top5", "val/acc_mean_class", "test/acc", "test/acc_top5"} <= set(metrics)
    assert (trained / "confusion" / "epoch_000.png").is_file() and (trained / "confusion" / "test.png").is_file()
    wandb_run = next((trained / "wandb").glob("offline-run-*"))
    table = json.loads(next(wandb_run.glob("files/media/table/val/predictions_*.table.json")).read_text())
    assert table["columns"] == ["clip", "true", "predicted", "confidence"]
    assert len(table["data"]) == 8  # the first validation clips, with true and predicted labels
    # offline runs keep table media only as the word "Video": the clips are also logged as GIF panels
    assert len(list(wandb_run.glob("files/media/videos/val/predictions/clips_*.gif"))) == 8
    assert list(wandb_run.glob("files/media/images/val/confusion_*.png"))


def test_eval_from_the_checkpoint_alone(trained, tmp_path):
    best = next((trained / "checkpoints").glob("best-*.ckpt"))
    proc = run("suite-eval", f"ckpt_path={best}", f"hydra.run.dir={tmp_path}", "trainer.enable_progress_bar=false")
    printed = json.loads(proc.stdout[proc.stdout.index("{"):])
    written = json.loads((trained / "metrics.json").read_text())
    assert printed["test/acc"] == pytest.approx(written["test/acc"], abs=1e-6)
    assert (tmp_path / "confusion" / "test.png").is_file()


def test_predict_prints_the_top5_classes(trained, tmp_path):
    ckpt = trained / "checkpoints" / "last.ckpt"
    files = write_video_folder(tmp_path / "v", classes=("left",), per_split=(2, 0, 0), splits=("train",))["train"]
    folder = files[0].parent
    rows = [json.loads(line) for line in
            run("suite-predict", f"ckpt_path={ckpt}", f"input={folder}", "output=json").stdout.strip().splitlines()]
    assert [r["input"] for r in rows] == [str(f) for f in files]
    for r in rows:
        probs = [t["prob"] for t in r["top5"]]
        assert len(r["top5"]) == 5 and probs == sorted(probs, reverse=True) and 0 < sum(probs) <= 1.0001
        assert r["label"] == r["top5"][0]["label"]
        assert r["text"].startswith(f"{r['input'].rsplit('/', 1)[-1]}: {r['label']} ")  # several inputs: named
    bad = tmp_path / "broken.avi"
    bad.write_bytes(b"\x00" * 300)
    proc = run("suite-predict", f"ckpt_path={ckpt}", f"input={bad}", check=False)
    assert proc.returncode == 2
    line = error_line(proc)
    assert "broken.avi" in line and "cannot read video" in line
