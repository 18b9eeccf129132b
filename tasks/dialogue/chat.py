"""suite-predict for dialogue (a reply to a history) and suite-chat (a chat in the terminal).

suite-predict ckpt_path=... input="hi __eou__ hello, how can i help? __eou__ a table for two"
  turns separated by ' __eou__ ', the last is the one answered; input=FILE: one history a line.
suite-chat ckpt_path=... [temperature=0.7 top_p=0.9 beam_size=1 ...]
  one user turn a line (typed, or piped: `printf 'hi\\n...' | suite-chat ...`), one reply a line;
  /reset forgets the history, /history shows it, /quit ends. The history the model sees is its
  context window (data.context_turns + 1 turns).
"""
from __future__ import annotations

import sys

import hydra
import torch
from omegaconf import DictConfig

from suite.checkpoint import load_module, read_checkpoint
from suite.cli import guarded, run_cli
from suite.config import CONF_DIR, predict_keys, with_task_options
from suite.data.inputs import read_lines
from suite.errors import UserError
from suite.registry import get_task

EOU = "__eou__"  # DailyDialog's end-of-utterance mark separates the turns of a history
MAX_HISTORIES = 100_000  # input=FILE lines; more is almost surely the wrong file


def decode_options(cfg: DictConfig) -> dict:
    """Command-line decoding options -> generate() overrides. Giving temperature, top_k or top_p
    without strategy= means sampling; beam_size>1 (or n_best>1) without it means beam search."""
    strategy = cfg.get("strategy")
    sampling_keys = [k for k in ("temperature", "top_k", "top_p") if cfg.get(k) is not None]
    beam, n_best = cfg.get("beam_size"), cfg.get("n_best")
    if strategy is None:
        strategy = "sample" if sampling_keys else ("beam" if (beam or 1) > 1 or (n_best or 1) > 1 else
                                                   (None if beam is None else "greedy"))
    if cfg.get("temperature") is not None and float(cfg.temperature) <= 0:
        raise UserError(f"temperature={cfg.temperature} must be above 0: e.g. temperature=0.7 (lower is more conservative)")
    if cfg.get("top_p") is not None and not 0 < float(cfg.top_p) <= 1:
        raise UserError(f"top_p={cfg.top_p} must be in (0, 1]: e.g. top_p=0.9")
    for key in ("top_k", "beam_size", "n_best", "max_len"):
        if cfg.get(key) is not None and int(cfg[key]) < (0 if key == "top_k" else 1):
            raise UserError(f"{key}={cfg[key]} is too small: use {key}=1 or more" + (" (0: off)" if key == "top_k" else ""))
    keys = ("temperature", "top_k", "top_p", "n_best", "min_len", "no_repeat_ngram_size", "max_len")
    return {"strategy": strategy, "beam_size": beam, **{k: cfg.get(k) for k in keys}}


def reply(module, histories: list[list[str]], options: dict, generator: torch.Generator) -> tuple[list[dict], int]:
    """Replies to histories (each a list of turns, the last answered): dicts with "text" (and
    "n_best" candidates when asked), and the tokens cut to fit the context window."""
    from tasks.dialogue.data import collate

    contexts = [module.meta.context(h) for h in histories]
    items = [{"src": c.flat, "turns": c.turns, "tgt": [], "id": k, "reply": "", "context": "", "slots": None,
              "act": None} for k, c in enumerate(contexts)]
    with torch.no_grad():
        start = module.start(collate(items, module.meta.side.vocab))
        hyps = module.generate(start, options, generator)
    out = [{"text": t} for t in module.texts(hyps)]
    if hyps.candidates:
        for row, cands in zip(out, hyps.candidates):
            row["n_best"] = [{"text": module.meta.side.decode(tokens.tolist()), "score": score} for tokens, score in cands]
    return out, sum(c.cut for c in contexts)


def _histories(spec: str) -> list[str]:
    """input=FILE (one history a line, turns separated by __eou__) or the history itself."""
    return read_lines(spec, f"history (turns separated by {EOU})", limit=MAX_HISTORIES)


def predict(module, cfg: DictConfig) -> list[dict]:
    """One result per history: {"input", "text"} (+ "n_best")."""
    options = decode_options(cfg)
    generator = torch.Generator().manual_seed(int(cfg.seed))  # the same command samples the same reply
    results = []
    histories = _histories(cfg.input)
    for first in range(0, len(histories), int(cfg.batch_size)):
        chunk = histories[first:first + int(cfg.batch_size)]
        turns = [[t.strip() for t in h.split(EOU) if t.strip()] for h in chunk]
        for h, t in zip(chunk, turns):
            if not t:
                raise UserError(f"history {h!r} has no turns: separate turns with ' {EOU} '")
        replies, cut = reply(module, turns, options, generator)
        if cut:
            print(f"note: {cut} tokens beyond the model's context window were dropped", file=sys.stderr)
        results += [{"input": h, **r} for h, r in zip(chunk, replies)]
    return results


# --- suite-chat --------------------------------------------------------------------------------
def load_chat_module(cfg: DictConfig):
    ckpt = read_checkpoint(cfg.ckpt_path)
    task = ckpt["suite"].get("task")
    if task != "dialogue":
        raise UserError(f"{cfg.ckpt_path} is a task={task} checkpoint: suite-chat needs one from suite-train task=dialogue")
    if cfg.get("threads"):
        torch.set_num_threads(int(cfg.threads))
    return load_module(cfg.ckpt_path, get_task("dialogue"))


def chat(cfg: DictConfig, lines, out=sys.stdout, err=sys.stderr) -> int:
    """Talk over `lines` (a file object); returns the number of replies given."""
    module = load_chat_module(cfg)
    cfg = with_task_options(cfg, "dialogue")
    options = decode_options(cfg)
    generator = torch.Generator().manual_seed(int(cfg.seed))  # a scripted chat gives the same replies each time
    history: list[str] = []
    typed = lines.isatty()
    window = module.meta.window
    if typed:
        print(f"chat with the model (it sees the last {window} turns); /reset, /history, /quit", file=err)
    replies = 0
    while True:
        if typed:
            print("you> ", end="", file=err, flush=True)
        line = lines.readline()
        if not line:
            return replies
        text = line.strip()
        if not text:
            continue  # an empty line says nothing
        if text == "/quit":
            return replies
        if text == "/reset":
            history = []
            print("(history cleared)", file=out, flush=True)
            continue
        if text == "/history":
            seen, first = history[-window:], max(len(history) - window, 0)
            for k, turn in enumerate(seen):  # the history alternates you, bot, you, ...
                print(f"{'bot' if (first + k) % 2 else 'you'}: {turn}", file=out)
            print(f"({len(seen)} of {len(history)} turns in the context window)", file=out, flush=True)
            continue
        history.append(text)
        (answer,), cut = reply(module, [history], options, generator)
        if cut:
            print(f"note: your message is longer than the model's context window: {cut} tokens were dropped "
                  f"(the last {module.meta.data['max_turn_tokens']} of a turn are kept)", file=err)
        history.append(answer["text"])
        print(("bot> " if typed else "") + answer["text"], file=out, flush=True)
        replies += 1


@hydra.main(config_path=str(CONF_DIR), config_name="predict", version_base="1.3")
def _main(cfg: DictConfig) -> None:
    guarded(lambda: chat(cfg, sys.stdin))


def main() -> None:
    # options that predict.yaml lacks (this task's own, conf/task/dialogue.yaml task.predict) come in as new keys
    common = predict_keys()
    sys.argv = [sys.argv[0], *(f"+{a}" if "=" in a and not a.startswith(("+", "~", "hydra")) and
                              a.split("=", 1)[0].split(".")[0] not in common else a for a in sys.argv[1:])]
    run_cli(_main)


if __name__ == "__main__":
    main()
