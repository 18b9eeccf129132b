"""Dialogue: the context model beats the single-turn baseline on clarification turns; suite-chat
keeps the history over a pipe; suite-predict answers a history; bad inputs end in one line."""
import io
import json
import os
import subprocess

import pytest
import torch
from hydra import compose, initialize_config_dir

from suite.config import CONF_DIR
from suite.engine import train
from tests.conftest import compose_train
from tests.integration.cli import BIN, error_line, run

# ~1800 replies, a small attention LSTM, 6 epochs: enough to learn to copy slots from the history
LEARN = ["task=dialogue", "debug=tiny", "data.n_train=400", "data.n_val=40", "data.n_test=0",
         "model.encoder.embed_size=32", "model.encoder.hidden_size=48", "model.decoder.embed_size=32",
         "model.decoder.hidden_size=96", "model.decode.max_len=24", "trainer.max_epochs=6", "threads=1"]
MARGIN = 0.3  # the single-turn model knows one slot of three on a clarification turn; the context model all three


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("dialogue") / "run"
    return train(compose_train(run_dir, LEARN)), run_dir / "checkpoints" / "last.ckpt"


def test_the_history_answers_clarifications_the_single_turn_baseline_cannot(trained, tmp_path):
    context, _ = trained
    single = train(compose_train(tmp_path, [*LEARN, "data.context_turns=0"]))
    assert context["val/slot_acc_clarify"] >= single["val/slot_acc_clarify"] + MARGIN, (context, single)
    assert context["val/slot_acc"] > 0.6, context


def test_piped_chat_gives_three_replies(trained, tmp_path):
    _, ckpt = trained
    proc = chat_cli(f"ckpt_path={ckpt}", f"hydra.run.dir={tmp_path}", stdin="hi\nI need a table for two\nand what about friday?\n")
    assert proc.returncode == 0, proc.stderr
    replies = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    assert len(replies) == 3, proc.stdout


def chat_cli(*args: str, stdin: str) -> subprocess.CompletedProcess:
    """suite-chat as a user's shell pipes into it (tests/integration/cli.run has no stdin)."""
    env = {k: v for k, v in os.environ.items() if k != "HYDRA_FULL_ERROR"}
    return subprocess.run([str(BIN / "suite-chat"), *args], input=stdin, env=env, capture_output=True, text=True,
                          timeout=300)


def _chat_cfg(ckpt, *options):
    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        return compose("predict", overrides=[f"ckpt_path={ckpt}", *(f"+{o}" for o in options)])


def test_chat_keeps_the_history_skips_empty_lines_and_truncates_a_huge_message(trained):
    from tasks.dialogue.chat import chat

    _, ckpt = trained
    out, err = io.StringIO(), io.StringIO()
    lines = io.StringIO("hi\n\n   \ncan i book a table for four on monday at 7pm\nand what about friday?\n/history\n"
                        + "word " * 10_000 + "\n/reset\n/history\n")
    assert chat(_chat_cfg(ckpt), lines, out, err) == 4  # the empty lines are no turns
    shown = out.getvalue().splitlines()
    assert "friday" in shown[2] and "four" in shown[2] and "7pm" in shown[2], shown  # the clarification, answered from the history
    assert shown[3:8] == ["you: can i book a table for four on monday at 7pm", f"bot: {shown[1]}",
                          "you: and what about friday?", f"bot: {shown[2]}", "(4 of 6 turns in the context window)"]
    assert "tokens were dropped" in err.getvalue()
    assert shown[-2:] == ["(history cleared)", "(0 of 0 turns in the context window)"]


def test_the_same_seed_samples_the_same_reply(trained):
    from tasks.dialogue.chat import chat

    _, ckpt = trained
    replies = []
    for seed in (1, 1, 2, 3, 4):
        out = io.StringIO()
        cfg = _chat_cfg(ckpt, "temperature=1.5", "top_k=0")
        cfg.seed = seed
        chat(cfg, io.StringIO("hi\n"), out, io.StringIO())
        replies.append(out.getvalue())
    assert replies[0] == replies[1] and len(set(replies)) > 1  # reproducible, yet sampled


def test_predict_a_history_with_n_best(trained):
    _, ckpt = trained
    history = "hi __eou__ hello, how can i help? __eou__ a taxi to the museum on sunday at 9pm"
    rows = [json.loads(ln) for ln in run("suite-predict", f"ckpt_path={ckpt}", f"input='{history}'", "output=json",
                                         "n_best=3", "beam_size=3").stdout.splitlines() if ln.startswith("{")]
    assert len(rows) == 1 and rows[0]["input"] == history and len(rows[0]["n_best"]) == 3
    assert rows[0]["text"] == rows[0]["n_best"][0]["text"]
    scores = [c["score"] for c in rows[0]["n_best"]]
    assert scores == sorted(scores, reverse=True)


def test_chat_with_a_checkpoint_of_another_task_is_one_clear_line(tmp_path):
    fake = tmp_path / "mt.ckpt"
    torch.save({"suite": {"task": "translation"}, "state_dict": {}}, fake)
    proc = chat_cli(f"ckpt_path={fake}", f"hydra.run.dir={tmp_path}", stdin="hi\n")
    assert proc.returncode == 2 and "task=translation checkpoint" in error_line(proc) and "task=dialogue" in error_line(proc)


def test_bad_decoding_option_is_one_clear_line(trained, tmp_path):
    from suite.errors import UserError
    from tasks.dialogue.chat import chat

    _, ckpt = trained
    with pytest.raises(UserError, match="temperature=0.0 must be above 0"):
        chat(_chat_cfg(ckpt, "temperature=0.0"), io.StringIO("hi\n"), io.StringIO(), io.StringIO())
