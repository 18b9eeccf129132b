"""suite-predict for sentiment: a text, or a file with one text a line -> label and probability."""
from __future__ import annotations

import torch
from omegaconf import DictConfig

from suite.data.collate import pad_sequences
from suite.data.inputs import read_lines


def predict(module, cfg: DictConfig) -> list[dict]:
    """One result per text: {"input", "text": "positive 0.97", "label", "probability", "probabilities"}."""
    texts = read_lines(cfg.input)
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
