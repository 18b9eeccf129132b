"""suite-predict for sentiment: a text, or a file with one text a line -> label and probability."""
from __future__ import annotations

from pathlib import Path

import torch
from omegaconf import DictConfig

from suite.data.collate import pad_sequences
from suite.errors import UserError


def read_inputs(spec, what: str = "text") -> list[str]:
    """input=FILE (one item a line, blank lines skipped) or input="the text itself"."""
    text = str(spec)
    try:
        path = Path(text).expanduser()
        is_file = path.is_file()
    except OSError:  # a long text is not a valid file name
        is_file = False
    if is_file:
        try:
            lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
        except UnicodeDecodeError as e:
            raise UserError(f"input file '{path}' is not UTF-8 text ({e.reason}): save it as UTF-8") from e
        lines = [ln for ln in lines if ln]
        if not lines:
            raise UserError(f"input file '{path}' line 1: the file is empty: put one {what} a line")
        return lines
    if not text.strip():
        raise UserError(f"input is empty: give input=\"a {what}\" or input=FILE with one {what} a line")
    return [text.strip()]


def predict(module, cfg: DictConfig) -> list[dict]:
    """One result per text: {"input", "text": "positive 0.97", "label", "probability", "probabilities"}."""
    texts = read_inputs(cfg.input)
    words, labels = module.meta.words, module.meta.labels
    results = []
    for start in range(0, len(texts), int(cfg.batch_size)):
        chunk = texts[start:start + int(cfg.batch_size)]
        # clipped to the checkpoint's data.max_len; a text of unknown words still gets a prediction (one <unk>)
        ids = [module.meta.encode(t) or [words.unk] for t in chunk]
        tokens, lengths = pad_sequences(ids, words.pad)  # (B, T), (B,)
        probs = module.classify(tokens, lengths)  # (B, C)
        for text, p in zip(chunk, probs):
            k = int(torch.argmax(p))
            results.append({"input": text, "text": f"{labels[k]} {float(p[k]):.2f}",
                            "label": labels[k], "probability": round(float(p[k]), 4),
                            "probabilities": {lab: round(float(q), 4) for lab, q in zip(labels, p)}})
    return results
