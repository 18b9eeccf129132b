"""Translation: train -> predict from the checkpoint alone; bad inputs end in one line."""
import json

import pytest

from tests.conftest import TINY_TRANSLATION
from tests.integration.cli import error_line, run, trained_checkpoint


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    return trained_checkpoint(tmp_path_factory, *TINY_TRANSLATION)


def test_predict_a_sentence_a_file_and_attention(ckpt, tmp_path):
    out = run("suite-predict", f"ckpt_path={ckpt}", "input=The red car is here.").stdout.strip().splitlines()
    assert len(out) == 1 and out[0]
    source = tmp_path / "in.txt"
    source.write_text("The man sees the dog.\n\nThe women do not eat.\n", encoding="utf-8")
    rows = [json.loads(line) for line in run(
        "suite-predict", f"ckpt_path={ckpt}", f"input={source}", "output=json", "beam_size=3",
        "save_attention=true", f"out_dir={tmp_path / 'att'}").stdout.strip().splitlines()]
    assert [r["input"] for r in rows] == ["The man sees the dog.", "The women do not eat."]  # empty line skipped
    assert all((tmp_path / "att").joinpath(r["attention"].rsplit("/", 1)[-1]).is_file() for r in rows)


@pytest.mark.parametrize("text, expected", [("", "input is empty"), ("word " * 500, "over the limit")])
def test_predict_bad_text_is_one_clear_line(ckpt, text, expected):
    proc = run("suite-predict", f"ckpt_path={ckpt}", f"input='{text}'", check=False)
    assert proc.returncode == 2 and expected in error_line(proc)


def test_mismatched_parallel_files_are_one_clear_line(tmp_path):
    (tmp_path / "train.en").write_text("a\nb\nc\n")
    (tmp_path / "train.de").write_text("x\ny\n")
    proc = run("suite-train", "task=translation", "data=parallel", f"data.root={tmp_path}", "data.src=en",
               "data.tgt=de", "logger=none", f"hydra.run.dir={tmp_path / 'run'}", check=False)
    assert proc.returncode == 2
    line = error_line(proc)
    assert "train.en" in line and "train.de" in line and "3" in line and "2" in line


def test_eval_from_the_checkpoint_alone(ckpt, tmp_path):
    proc = run("suite-eval", f"ckpt_path={ckpt}", f"hydra.run.dir={tmp_path}", "trainer.enable_progress_bar=false")
    printed = json.loads(proc.stdout[proc.stdout.index("{"):])
    written = json.loads((ckpt.parent.parent / "metrics.json").read_text())
    assert printed["test/bleu"] == pytest.approx(written["test/bleu"], abs=1e-4)
    assert json.loads((tmp_path / "metrics.json").read_text()) == pytest.approx(printed)
