"""W&B table of sample validation clips (as wandb.Video GIFs) with their true and predicted labels.

The shared suite.callbacks.PredictionTable turns image tensors and PIL images into cells, not
clips; this helper logs the clip table itself, so the module leaves `examples` empty.
GIFs are written with PIL: wandb.Video would need moviepy to encode raw arrays.
"""
from __future__ import annotations

import io

import torch
from PIL import Image
from pytorch_lightning.loggers import WandbLogger


def clip_gif(clip: torch.Tensor, fps: int = 4, scale: int = 2) -> io.BytesIO:
    """uint8 (T, 3, H, W) -> an animated GIF, enlarged `scale` times so small clips are visible."""
    frames = [Image.fromarray(f.permute(1, 2, 0).cpu().numpy()) for f in clip]
    frames = [f.resize((f.width * scale, f.height * scale), Image.NEAREST) for f in frames]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=int(1000 / fps), loop=0)
    buf.seek(0)
    return buf


def log_video_table(loggers, rows: list[dict], step: int, key: str = "val/predictions") -> int:
    """rows: {"clip": uint8 (T, 3, H, W), other columns: str/float}. Returns how many tables were logged."""
    if not rows:
        return 0
    import wandb

    columns = list(rows[0])
    logged = 0
    for logger in loggers:
        if isinstance(logger, WandbLogger):
            data = [[wandb.Video(clip_gif(r[c]), format="gif") if c == "clip" else r[c] for c in columns]
                    for r in rows]
            logger.log_table(key, columns=columns, data=data, step=step)
            # W&B offline runs store table media only as the word "Video" (wandb issue 4611): log
            # the clips as a video panel too, captioned with the other columns
            captions = [" / ".join(f"{c}: {r[c]}" for c in columns if c != "clip") for r in rows]
            videos = [wandb.Video(clip_gif(r["clip"]), caption=cap, format="gif") for r, cap in zip(rows, captions)]
            logger.experiment.log({f"{key}/clips": videos}, step=step)
            logged += 1
    return logged
