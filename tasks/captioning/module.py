"""Captioning LightningModule: image grid encoder + Show-Attend-Tell decoder, BLEU/CIDEr on beam output."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from suite.metrics import caption_metrics
from suite.module import SuiteModule
from suite.nn.image_encoder import ImageGridEncoder
from suite.nn.search import Hypotheses, beam_search, greedy_search
from suite.nn.show_attend_tell import ShowAttendTellDecoder
from tasks.captioning.attention_plot import attention_overlay
from tasks.captioning.meta import CaptioningMeta
from tasks.captioning.scenes import relation_metrics


class CaptioningModule(SuiteModule):
    task_name = "captioning"
    item_kind = "images"
    compile_targets = ("encoder.backbone",)  # the CNN; the attention decoder loops step by step
    meta_type = CaptioningMeta

    def __init__(self, model: dict, meta: CaptioningMeta | dict):
        super().__init__(model, meta)
        self.vocab = self.meta.vocab
        self.encoder = ImageGridEncoder(**model["encoder"])
        self.decoder = ShowAttendTellDecoder(len(self.vocab), self.encoder.out_dim, **model["decoder"],
                                             pad_id=self.vocab.pad)
        # doubly stochastic attention regularisation needs attention to regularise
        self.ds_lambda = float(model["doubly_stochastic"]) if model["decoder"]["attention"] else 0.0
        self.sample_prob = float(model["scheduled_sampling"])
        self.label_smoothing = float(model["label_smoothing"])
        self.decode_cfg = model["decode"]

    def encode(self, images: torch.Tensor, keys=None) -> torch.Tensor:
        """uint8 images (B, 3, S, S), optional feature-cache keys (image paths) -> grid features (B, L, D)."""
        return self.encoder(images.float() / 255.0, keys)

    # --- decoding ------------------------------------------------------------------------------
    def caption(self, images: torch.Tensor, beam_size: int | None = None, keys=None,
                memory: torch.Tensor | None = None) -> Hypotheses:
        """uint8 images (B, 3, S, S) -> best hypothesis per image (greedy when beam_size == 1);
        `memory` is their grid features when the caller has encoded them already."""
        beam = beam_size or self.decode_cfg["beam_size"]
        state, cache = self.decoder.start(memory if memory is not None else self.encode(images, keys))
        kw = dict(bos=self.vocab.bos, eos=self.vocab.eos, max_len=self.decode_cfg["max_len"])
        if beam == 1:
            return greedy_search(self.decoder, state, cache, **kw)
        return beam_search(self.decoder, state, cache, beam_size=beam,
                           length_alpha=self.decode_cfg["length_penalty"], **kw)

    def texts(self, hyps: Hypotheses) -> list[str]:
        return [" ".join(self.vocab.decode(row)) for row in hyps.tokens.tolist()]

    # --- training ------------------------------------------------------------------------------
    def _losses(self, batch: dict, sample_prob: float = 0.0,
                memory: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """-> (cross-entropy in nats per word, doubly stochastic attention penalty); `memory` is the
        batch's grid features when the caller has encoded the images already."""
        if memory is None:
            memory = self.encode(batch["images"], batch.get("paths"))  # (B, L, D)
        logits, alphas = self.decoder(memory, batch["captions_in"], sample_prob=sample_prob)  # (B, T, V)
        target = batch["captions_out"]  # (B, T)
        ce = F.cross_entropy(logits.float().flatten(0, 1), target.flatten(), ignore_index=self.vocab.pad,
                             label_smoothing=self.label_smoothing)
        if self.ds_lambda <= 0:
            return ce, ce.new_zeros(())
        valid = (target != self.vocab.pad).unsqueeze(2).to(alphas.dtype)  # (B, T, 1)
        coverage = (alphas * valid).sum(1)  # (B, L): attention each cell received over the caption
        # The paper's sum_l (1 - coverage_l)^2 has the same gradient as measuring against the
        # reachable mean T/L (softmax ignores a shift shared by all cells), but reads 0 at best.
        target_cov = batch["lengths"].to(coverage.dtype).unsqueeze(1) / coverage.size(1)  # (B, 1)
        return ce, ((target_cov - coverage) ** 2).sum(1).mean()

    def training_step(self, batch: dict, batch_idx: int):
        self.count_skipped(batch)
        if not batch["size"]:
            return None  # every item of this batch was unreadable
        ce, penalty = self._losses(batch, self.sample_prob)
        self.log_train("train/loss", ce, batch["size"], prog_bar=True)
        if self.ds_lambda > 0:
            self.log_train("train/attention_penalty", penalty, batch["size"])
        return ce + self.ds_lambda * penalty

    # --- evaluation ----------------------------------------------------------------------------
    def eval_batch(self, batch: dict, stage: str) -> tuple[torch.Tensor | None, list[dict]]:
        if not batch["size"]:
            return None, []  # every item of this batch was unreadable
        memory = self.encode(batch["images"], batch.get("paths"))  # (B, L, D): once for the loss and the search
        ce, _ = self._losses(batch, memory=memory)
        decoded = self.caption(batch["images"], memory=memory)
        rows = [{"id": i, "caption": h, "references": r, "scene": s}
                for i, h, r, s in zip(batch["ids"], self.texts(decoded), batch["refs"], batch["scenes"])]
        if self.collecting_examples(stage):  # the image and where each word looked, for the W&B table
            for k, row in enumerate(rows[: self.max_examples - len(self.examples)]):
                row["image"] = batch["images"][k].cpu()  # (3, S, S) uint8
                if decoded.alphas is not None:
                    words = row["caption"].split()
                    row["attention"] = attention_overlay(row["image"].float() / 255.0, words,
                                                         decoded.alphas[k, : len(words) + 1].float().cpu(), tile=64)
        return ce, rows

    def score(self, rows: list[dict], stage: str) -> dict[str, float]:
        """BLEU-1..4 and CIDEr-D; where the data stores each image's scene (synthetic shapes), also
        relation_acc and object_acc (scenes.py) beside the image-blind and layout-blind baselines'."""
        captions = [r["caption"] for r in rows]
        out = caption_metrics(captions, [list(r["references"]) for r in rows])
        scenes = [r.get("scene") for r in rows]
        if scenes and all(s is not None for s in scenes):
            out.update(relation_metrics(captions, scenes))
            datamodule = getattr(self.trainer, "datamodule", None) if self._trainer is not None else None
            out.update(getattr(datamodule, "scene_baselines", {}).get(stage, {}))
        return out

    def example(self, row: dict) -> dict | None:
        if "image" not in row:
            return None
        shown = {"image": row["image"].float() / 255.0, "references": " | ".join(row["references"]),
                 "caption": row["caption"]}
        if "attention" in row:
            shown["attention"] = row["attention"]
        return shown
