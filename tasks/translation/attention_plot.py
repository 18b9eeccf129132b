"""Attention heatmap: output tokens (rows) against source tokens (columns), darker = more attention."""
from __future__ import annotations

from pathlib import Path

import torch
from PIL import Image, ImageDraw


def attention_heatmap(src: list[str], out: list[str], alphas: torch.Tensor, cell: int = 22) -> Image.Image:
    """alphas (len(out), len(src)) -> an image with the tokens as labels."""
    left = 8 + 7 * max((len(t) for t in out), default=1)  # room for the row labels
    top = 8 + 7 * max((len(t) for t in src), default=1)  # room for the (rotated) column labels
    img = Image.new("RGB", (left + cell * len(src) + 4, top + cell * len(out) + 4), "white")
    draw = ImageDraw.Draw(img)
    for j, token in enumerate(src):
        label = Image.new("RGB", (top - 4, cell), "white")
        ImageDraw.Draw(label).text((2, 5), token, fill="black")
        img.paste(label.rotate(90, expand=True), (left + j * cell, 2))
    for i, token in enumerate(out):
        draw.text((4, top + i * cell + 5), token, fill="black")
        for j in range(len(src)):
            shade = int(255 * (1.0 - float(alphas[i, j])))
            x, y = left + j * cell, top + i * cell
            draw.rectangle([x, y, x + cell - 1, y + cell - 1], fill=(shade, shade, 255))
    return img


def hypothesis_heatmap(module, sentence: str, hyps, k: int) -> Image.Image:
    """The attention of hypothesis k of a module.translate() result over its source sentence."""
    n_out = int(hyps.lengths[k])
    src_tokens = module.src.tokenizer.tokenize(sentence)
    out_tokens = [*module.tgt.vocab.decode(hyps.tokens[k].tolist()), "</s>"][:n_out]
    return attention_heatmap(src_tokens, out_tokens, hyps.alphas[k, :n_out, : len(src_tokens)])


def save_attention_heatmap(module, sentence: str, hyps, k: int, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    hypothesis_heatmap(module, sentence, hyps, k).save(path)
    return path
