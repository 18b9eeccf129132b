"""suite-predict for activity: the top-5 classes of a video, or of every video in a folder."""
from __future__ import annotations

from pathlib import Path

import torch
from omegaconf import DictConfig

from suite.data.video import list_videos, read_video
from suite.errors import UserError
from tasks.activity.clips import sample_indices, to_clip

TOP_K = 5  # classes printed per video


def _inputs(spec: str) -> list[Path]:
    path = Path(str(spec)).expanduser()
    if path.is_dir():
        files = list_videos(path)
        if not files:
            raise UserError(f"no videos (.avi, .mp4, .mkv, .webm, .mov) in folder '{path}':"
                            f" give input=<video file or folder of videos>")
        return files
    if not path.exists():
        raise UserError(f"input '{path}' not found: give input=<video file or folder of videos>")
    return [path]


def clip_of(path: Path, data: dict) -> torch.Tensor:
    """A video decoded and sampled exactly as the evaluation loader does -> uint8 (T, 3, S, S)."""
    # (N, S, S, 3) uint8; an unreadable file raises VideoError: one line from suite-predict
    frames = read_video(path, int(data["image_size"]), int(data["max_frames"]))
    idx = sample_indices(len(frames), int(data["segments"]), data["sampling"], False, int(data["stride"]))
    return to_clip(frames, idx)


def predict(module, cfg: DictConfig) -> list[dict]:
    """One result per video: {"input", "text": "label 0.973, other 0.012, ...", "label", "top5"}."""
    data = module.meta.data
    files = _inputs(cfg.input)
    results = []
    for start in range(0, len(files), int(cfg.batch_size)):
        chunk = files[start:start + int(cfg.batch_size)]
        clips = torch.stack([clip_of(f, data) for f in chunk])  # (B, T, 3, S, S) uint8
        probs = module.probabilities(clips)  # (B, C)
        conf, top = probs.topk(min(TOP_K, probs.size(1)), dim=-1)  # (B, k)
        for f, p, t in zip(chunk, conf.tolist(), top.tolist()):
            ranked = [{"label": module.classes[i], "prob": round(float(q), 4)} for i, q in zip(t, p)]
            text = ", ".join(f"{r['label']} {r['prob']:.3f}" for r in ranked)
            results.append({"input": str(f), "text": f"{f.name}: {text}" if len(files) > 1 else text,
                            "label": ranked[0]["label"], "top5": ranked})
    return results

