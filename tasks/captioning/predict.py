"""suite-predict for captioning: caption an image or every image in a folder."""
from __future__ import annotations

from pathlib import Path

import torch
from omegaconf import DictConfig

from suite.data.media import list_images
from suite.errors import UserError
from tasks.captioning.attention_plot import save_attention_overlay
from tasks.captioning.datamodule import image_tensor


def _inputs(spec: str) -> list[Path]:
    path = Path(str(spec)).expanduser()
    if path.is_dir():
        files = list_images(path)
        if not files:
            raise UserError(f"no images in folder '{path}': give input=<image file or folder of images>")
        return files
    if not path.exists():
        raise UserError(f"input '{path}' not found: give input=<image file or folder of images>")
    return [path]


def predict(module, cfg: DictConfig) -> list[dict]:
    """One result dict per image: {"input", "text"} (+ "attention" path with save_attention=true)."""
    size = int(module.meta.data["image_size"])
    files = _inputs(cfg.input)
    results = []
    for start in range(0, len(files), int(cfg.batch_size)):
        chunk = files[start:start + int(cfg.batch_size)]
        images = torch.stack([image_tensor(str(f), size) for f in chunk])  # (B, 3, S, S) uint8
        with torch.no_grad():
            hyps = module.caption(images, beam_size=cfg.beam_size)
        for i, (f, text) in enumerate(zip(chunk, module.texts(hyps))):
            result = {"input": str(f), "text": text}
            if cfg.save_attention and hyps.alphas is not None:
                n = len(text.split())
                out = Path(str(cfg.out_dir)) / f"{f.stem}_attention.png"
                save_attention_overlay(images[i].float() / 255.0, text.split(), hyps.alphas[i, : n + 1], out)
                result["attention"] = str(out)
            results.append(result)
    return results
