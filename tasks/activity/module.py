"""Activity LightningModule: clip classifier, top-1/top-5/per-class accuracy, confusion matrices.

The confusion matrix of every validation goes to <run dir>/confusion/epoch_NNN.png (and the test
one to confusion/test.png) and, with a W&B logger, to W&B with a table of sample clips.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from pytorch_lightning.loggers import WandbLogger

from suite.module import SuiteModule
from tasks.activity.evaluation import clip_metrics, save_confusion
from tasks.activity.meta import ActivityMeta
from tasks.activity.model import ClipClassifier
from tasks.activity.video_table import log_video_table

N_EXAMPLES = 8  # clips in the W&B table: enough to see typical mistakes, cheap to encode as GIFs


def frame_keys(batch: dict) -> list[tuple[str, int]] | None:
    """Feature-cache keys, one per frame in the encoder's (B, T) order: (video path, decoded frame index)."""
    if "frames" not in batch:
        return None
    return [(path, f) for path, frames in zip(batch["paths"], batch["frames"]) for f in frames]


class ActivityModule(SuiteModule):
    task_name = "activity"
    item_kind = "videos"
    compile_targets = ("net.encoder.backbone",)  # the per-frame CNN; the LSTM is one fused call already
    meta_type = ActivityMeta

    def __init__(self, model: dict, meta: ActivityMeta | dict):
        super().__init__(model, meta)
        self.classes: list[str] = list(self.meta.classes)
        self.net = ClipClassifier(model, len(self.classes))
        self.label_smoothing = float(model["label_smoothing"])
        # sample validation clips for the W&B video table: the shared PredictionTable shows images,
        # not clips, so this module logs its own (tasks/activity/video_table.py) and leaves `examples` empty
        self._clip_rows: list[dict] = []

    def forward(self, clips: torch.Tensor) -> torch.Tensor:
        """uint8 (B, T, 3, H, W) -> logits (B, C)."""
        return self.net(clips)

    @torch.no_grad()
    def probabilities(self, clips: torch.Tensor) -> torch.Tensor:
        return self.net(clips).float().softmax(-1)  # (B, C)

    # --- training ------------------------------------------------------------------------------
    def training_step(self, batch: dict, batch_idx: int):
        self.count_skipped(batch)
        if not batch["size"]:
            return None  # every clip of this batch was unreadable
        logits = self.net(batch["clips"], frame_keys(batch))  # (B, C)
        loss = F.cross_entropy(logits.float(), batch["labels"], label_smoothing=self.label_smoothing)
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        if self.logging_step():  # computing the accuracy is work too: only when it is logged
            self.log_train("train/acc", (logits.argmax(-1) == batch["labels"]).float().mean(), batch["size"])
        return loss

    # --- evaluation ----------------------------------------------------------------------------
    def eval_batch(self, batch: dict, stage: str) -> tuple[torch.Tensor | None, list[dict]]:
        if not batch["size"]:
            return None, []  # every clip of this batch was unreadable
        logits = self.net(batch["clips"], frame_keys(batch)).float()  # (B, C)
        loss = F.cross_entropy(logits, batch["labels"])
        conf, top = logits.softmax(-1).topk(min(5, len(self.classes)), dim=-1)  # (B, k) best first
        rows = [{"id": i, "label": y, "topk": t}
                for i, y, t in zip(batch["ids"], batch["labels"].tolist(), top.tolist())]
        if stage == "val" and self.keep_examples and len(self._clip_rows) < N_EXAMPLES:
            for i in range(min(batch["size"], N_EXAMPLES - len(self._clip_rows))):
                self._clip_rows.append({"clip": batch["clips"][i].cpu(), "true": self.classes[rows[i]["label"]],
                                        "predicted": self.classes[rows[i]["topk"][0]],
                                        "confidence": round(float(conf[i, 0]), 3)})
        return loss, rows

    def _metrics(self, rows: list[dict]) -> tuple[dict[str, float], np.ndarray]:
        labels = np.array([r["label"] for r in rows])  # (N,)
        topk = np.array([r["topk"] for r in rows])  # (N, k)
        return clip_metrics(labels, topk, self.classes)

    def score(self, rows: list[dict], stage: str) -> dict[str, float]:
        return self._metrics(rows)[0]

    def on_scored(self, rows: list[dict], stage: str) -> None:
        """The confusion matrix as a PNG in the run dir (and on W&B); the sample clips' table."""
        clip_rows, self._clip_rows = self._clip_rows, []  # the next validation collects its own
        if self.trainer.sanity_checking or not self.trainer.is_global_zero:
            return
        metrics, confusion = self._metrics(rows)
        name = f"epoch_{self.current_epoch:03d}" if stage == "val" else "test"
        path = Path(self.trainer.default_root_dir) / "confusion" / f"{name}.png"
        image = save_confusion(confusion, self.classes, path, f"{stage} confusion ({name}), top-1 {metrics['acc']:.3f}")
        for logger in self.loggers:
            if isinstance(logger, WandbLogger):
                logger.log_image(f"{stage}/confusion", [image], step=self.global_step)
        if stage == "val":
            log_video_table(self.loggers, clip_rows, self.global_step)
