"""suite-predict for translation: a sentence, or a file with one sentence a line."""
from __future__ import annotations

from pathlib import Path

import torch
from omegaconf import DictConfig

from suite.data.collate import pad_sequences
from suite.data.inputs import read_lines
from suite.errors import UserError
from tasks.translation.attention_plot import save_attention_heatmap


def max_source_tokens(cfg: DictConfig) -> int:
    """task.predict.max_source_tokens (conf/task/translation.yaml holds its default and why), checked."""
    value = cfg.max_source_tokens
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise UserError(f"max_source_tokens={value} must be a positive whole number of tokens, "
                        "e.g. max_source_tokens=400")
    return value


def predict(module, cfg: DictConfig) -> list[dict]:
    """One result per sentence: {"input", "text"} (+ "attention" PNG with save_attention=true)."""
    sentences = read_lines(cfg.input, "sentence")
    limit = max_source_tokens(cfg)
    results = []
    for start in range(0, len(sentences), int(cfg.batch_size)):
        chunk = sentences[start:start + int(cfg.batch_size)]
        ids = [module.src.encode(s) for s in chunk]
        for s, i in zip(chunk, ids):
            if not i:
                raise UserError(f"nothing to translate in {s!r}: no known words or characters")
            if len(i) > limit:
                raise UserError(f"input sentence has {len(i)} tokens, over the limit of max_source_tokens={limit}: "
                                f"split it into shorter sentences, or raise it (max_source_tokens={len(i)}) if "
                                "the memory allows")
        src, lengths = pad_sequences(ids, module.src.vocab.pad)  # (B, S), (B,)
        with torch.no_grad():
            hyps = module.translate(src, lengths, beam_size=cfg.beam_size)
        for k, (sentence, text) in enumerate(zip(chunk, module.texts(hyps))):
            result = {"input": sentence, "text": text}
            if cfg.save_attention and hyps.alphas is not None:
                path = Path(str(cfg.out_dir)) / f"attention_{start + k:04d}.png"
                result["attention"] = str(save_attention_heatmap(module, sentence, hyps, k, path))
            results.append(result)
    return results
