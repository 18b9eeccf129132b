"""Charlm on a text file: train -> sample from the checkpoint alone; an empty file is one line."""
import pytest

from tests.fixtures.text_formats import write_text
from tests.integration.cli import error_line, run
from tests.tiny import tiny

TINY = tiny("charlm", "data=text_file")


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cl")
    write_text(tmp / "code.txt", repeat=30)
    run("suite-train", *TINY, f"data.path={tmp / 'code.txt'}", f"hydra.run.dir={tmp / 'run'}")
    return tmp / "run" / "checkpoints" / "last.ckpt"


def test_predict_samples_a_continuation_of_the_prompt(ckpt):
    args = ["task=charlm", f"ckpt_path={ckpt}", "prompt='def '", "length=60", "temperature=0.8", "top_k=5"]
    text = run("suite-predict", *args).stdout
    assert text.startswith("def ") and len(text) == len("def ") + 60 + 1  # prompt + 60 characters + print's newline


def test_empty_text_file_is_one_line_naming_it(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    proc = run("suite-train", *TINY, f"data.path={tmp_path / 'empty.txt'}", f"hydra.run.dir={tmp_path / 'run'}",
               check=False)
    assert proc.returncode == 2 and f"{tmp_path / 'empty.txt'} is empty" in error_line(proc)


def test_predict_with_another_task_named_is_one_line(ckpt):
    proc = run("suite-predict", "task=translation", f"ckpt_path={ckpt}", "input=hello", check=False)
    assert proc.returncode == 2 and "is a task=charlm checkpoint, not task=translation" in error_line(proc)
