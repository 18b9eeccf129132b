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

    def __init__(self, model: dict, meta: dict):
        super().__init__(model, meta)
        self.classes: list[str] = list(meta["vocab"]["classes"])
        self.net = ClipClassifier(model, len(self.classes))
        self.label_smoothing = float(model.get("label_smoothing", 0.0))
        self._outputs: list = []
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
    def _eval_step(self, batch: dict, batch_idx: int, stage: str) -> None:
        self.count_skipped(batch)
        if not batch["size"]:
            return
        logits = self.net(batch["clips"], frame_keys(batch)).float()  # (B, C)
        self.log(f"{stage}/loss", F.cross_entropy(logits, batch["labels"]), batch_size=batch["size"], sync_dist=True)
        probs = logits.softmax(-1)
        conf, top = probs.topk(min(5, len(self.classes)), dim=-1)  # (B, k)
        self._outputs.extend(zip(batch["paths"], batch["labels"].tolist(), top.tolist()))
        if stage == "val" and self.keep_examples and len(self._clip_rows) < N_EXAMPLES:
            for i in range(min(batch["size"], N_EXAMPLES - len(self._clip_rows))):
                self._clip_rows.append({"clip": batch["clips"][i].cpu(), "true": self.classes[int(batch["labels"][i])],
                                        "predicted": self.classes[int(top[i, 0])],
                                        "confidence": round(float(conf[i, 0]), 3)})

    def _eval_epoch_end(self, stage: str) -> None:
        outputs = self.gather_lists(self._outputs)
        self._outputs = []
        unique = {p: (y, t) for p, y, t in outputs}  # DDP samplers pad with repeats
        if not unique:
            return
        labels = np.array([y for y, _ in unique.values()])  # (N,)
        topk = np.array([t for _, t in unique.values()])  # (N, k)
        metrics, confusion = clip_metrics(labels, topk, self.classes)
        for name, value in metrics.items():
            self.log(f"{stage}/{name}", value)
        if self.trainer.sanity_checking or not self.trainer.is_global_zero:
            return
        name = f"epoch_{self.current_epoch:03d}" if stage == "val" else "test"
        path = Path(self.trainer.default_root_dir) / "confusion" / f"{name}.png"
        image = save_confusion(confusion, self.classes, path, f"{stage} confusion ({name}), top-1 {metrics['acc']:.3f}")
        for logger in self.loggers:
            if isinstance(logger, WandbLogger):
                logger.log_image(f"{stage}/confusion", [image], step=self.global_step)
        if stage == "val":
            log_video_table(self.loggers, self._clip_rows, self.global_step)

    def on_validation_epoch_start(self) -> None:
        self._clip_rows = []

    def validation_step(self, batch, batch_idx):
        self._eval_step(batch, batch_idx, "val")

    def on_validation_epoch_end(self):
        super().on_validation_epoch_end()
        self._eval_epoch_end("val")

    def test_step(self, batch, batch_idx):
        self._eval_step(batch, batch_idx, "test")

    def on_test_epoch_end(self):
        self._eval_epoch_end("test")


Module = ActivityModule  # the name suite.registry looks up
