"""Attention overlay: the image once per generated word, brightened where the decoder looked."""
from __future__ import annotations

import math
from pathlib import Path

import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw


def attention_overlay(image: torch.Tensor, words: list[str], alphas: torch.Tensor, tile: int = 128) -> Image.Image:
    """image (3, S, S) in [0, 1]; alphas (T, L) with L a square grid -> a sheet of word tiles."""
    words = [*words, "<end>"][: alphas.size(0)]
    side = int(math.isqrt(alphas.size(1)))
    base = F.interpolate(image.unsqueeze(0), size=(tile, tile), mode="bilinear", align_corners=False)[0]  # (3, t, t)
    cols = min(len(words), 6)
    rows = math.ceil(len(words) / cols)
    sheet = Image.new("RGB", (cols * tile, rows * (tile + 16)), "white")
    draw = ImageDraw.Draw(sheet)
    for i, word in enumerate(words):
        a = alphas[i, : side * side].reshape(1, 1, side, side).float()  # (1, 1, s, s)
        a = F.interpolate(a, size=(tile, tile), mode="bilinear", align_corners=False)[0]  # (1, t, t)
        a = a / a.max().clamp_min(1e-8)
        blended = (base * (0.25 + 0.75 * a)).clamp(0, 1)  # dim where the decoder did not look
        tile_img = Image.fromarray((blended.permute(1, 2, 0).numpy() * 255).astype("uint8"))
        x, y = (i % cols) * tile, (i // cols) * (tile + 16)
        sheet.paste(tile_img, (x, y + 16))
        draw.text((x + 3, y + 2), word, fill="black")
    return sheet


def save_attention_overlay(image: torch.Tensor, words: list[str], alphas: torch.Tensor, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    attention_overlay(image, words, alphas).save(path)
    return path
