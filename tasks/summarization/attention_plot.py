"""Attention of each summary word over the document, with its copy probability: translation's heatmap
(summary words as rows, document words as columns) under a caption saying how to read it."""
from __future__ import annotations

from pathlib import Path

import torch
from PIL import Image, ImageDraw

from tasks.translation.attention_plot import attention_heatmap

# a wider heatmap is unreadable: a longer document shows the window of this many words that holds
# the most attention (where the summary was written from), and the caption says which words those are
MAX_COLUMNS = 60


def attended_window(alphas: torch.Tensor, width: int = MAX_COLUMNS) -> tuple[int, int]:
    """alphas (T, S) -> [first, last) of the `width` consecutive document words with the most attention."""
    n = alphas.size(1)
    if n <= width:
        return 0, n
    mass = torch.cat([alphas.new_zeros(1), alphas.sum(0).cumsum(0)])  # (S + 1,) attention before each word
    first = int(torch.argmax(mass[width:] - mass[:-width]))  # over the S - width + 1 windows
    return first, first + width


def row_labels(words: list[str], oov: list[bool], p_gen: torch.Tensor, copies: bool) -> list[str]:
    """One label an output word: the word, * when it is a copied out-of-vocabulary word, and its copy
    probability 1 - p_gen (absent for a model without copy)."""
    marked = [f"{w}*" if o else w for w, o in zip(words, oov)]
    if not copies:
        return marked
    return [f"{w} {1.0 - float(p):.2f}" for w, p in zip(marked, p_gen)]


def summary_heatmap(doc_tokens: list[str], words: list[str], oov: list[bool], alphas: torch.Tensor,
                    p_gen: torch.Tensor, copies: bool) -> Image.Image:
    """doc_tokens (S), words / oov (T), alphas (T, S), p_gen (T,) -> the captioned heatmap."""
    first, last = attended_window(alphas)
    heat = attention_heatmap(doc_tokens[first:last], row_labels(words, oov, p_gen, copies), alphas[:, first:last])
    caption = [f"rows: summary words; columns: document words {first + 1}-{last} of {len(doc_tokens)}"
               + (" (the most attended span)" if last - first < len(doc_tokens) else ""),
               "* = out-of-vocabulary word copied from the document; darker = more attention"]
    if copies:
        caption.append("number after a word = copy probability 1 - p_gen")
    else:
        caption.append("no copy mechanism (model=attention_seq2seq): every word is generated")
    top = 6 + 14 * len(caption)
    img = Image.new("RGB", (max(heat.width, 8 + 6 * max(map(len, caption))), heat.height + top), "white")
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(caption):
        draw.text((4, 4 + 14 * i), line, fill="black")
    img.paste(heat, (0, top))
    return img


def save_summary_heatmap(image: Image.Image, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return path
