"""Captioning LightningModule: image grid encoder + attention decoder, BLEU/CIDEr on beam output."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from suite.data.vocab import Vocab
from suite.metrics import caption_metrics
from suite.module import SuiteModule
from suite.nn.decoder import AttentionDecoder
from suite.nn.image_encoder import ImageGridEncoder
from suite.nn.search import Hypotheses, beam_search, greedy_search
from tasks.captioning.attention_plot import attention_overlay


class CaptioningModule(SuiteModule):
    task_name = "captioning"
    item_kind = "images"
    compile_targets = ("encoder.backbone",)  # the CNN; the attention decoder loops step by step

    def __init__(self, model: dict, meta: dict):
        super().__init__(model, meta)
        self.vocab = Vocab.from_dict(meta["vocab"])
        enc, dec = model["encoder"], model["decoder"]
        self.encoder = ImageGridEncoder(enc["arch"], enc.get("channels", (16, 32, 64, 128)), enc.get("pretrained", False),
                                        enc.get("freeze", False), enc.get("grid_size"), enc.get("cache_features", False))
        self.decoder = AttentionDecoder(
            len(self.vocab), self.encoder.out_dim, cell=dec["cell"], attention=dec["attention"],
            embed_size=dec["embed_size"], hidden_size=dec["hidden_size"], attention_size=dec["attention_size"],
            dropout=dec["dropout"], gate=dec["gate"], deep_output=dec["deep_output"], pad_id=self.vocab.pad)
        self.ds_lambda = float(dec.get("doubly_stochastic", 0.0)) if dec["attention"] else 0.0
        self.sample_prob = float(dec.get("scheduled_sampling", 0.0))
        self.label_smoothing = float(dec.get("label_smoothing", 0.0))
        self.decode_cfg = model["decode"]
        self._outputs: list = []

    def encode(self, images: torch.Tensor, keys=None) -> torch.Tensor:
        """uint8 images (B, 3, S, S), optional feature-cache keys (image paths) -> grid features (B, L, D)."""
        return self.encoder(images.float() / 255.0, keys)

    # --- decoding ------------------------------------------------------------------------------
    def caption(self, images: torch.Tensor, beam_size: int | None = None, keys=None) -> Hypotheses:
        """uint8 images (B, 3, S, S) -> best hypothesis per image (greedy when beam_size == 1)."""
        beam = beam_size or self.decode_cfg["beam_size"]
        state, cache = self.decoder.start(self.encode(images, keys))
        kw = dict(bos=self.vocab.bos, eos=self.vocab.eos, max_len=self.decode_cfg["max_len"])
        if beam == 1:
            return greedy_search(self.decoder, state, cache, **kw)
        return beam_search(self.decoder, state, cache, beam_size=beam,
                           length_alpha=self.decode_cfg.get("length_penalty", 0.0), **kw)

    def texts(self, hyps: Hypotheses) -> list[str]:
        return [" ".join(self.vocab.decode(row)) for row in hyps.tokens.tolist()]

    # --- training ------------------------------------------------------------------------------
    def _losses(self, batch: dict, sample_prob: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
        """-> (cross-entropy in nats per word, doubly stochastic attention penalty)."""
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
    def _eval_step(self, batch: dict, batch_idx: int, stage: str) -> None:
        self.count_skipped(batch)
        if not batch["size"]:
            return
        self.log(f"{stage}/loss", self._losses(batch)[0], batch_size=batch["size"], sync_dist=True)
        decoded = self.caption(batch["images"], keys=batch.get("paths"))
        hyps = self.texts(decoded)
        self._outputs.extend(zip(batch["ids"], hyps, batch["refs"]))
        if stage == "val" and batch_idx == 0 and self.keep_examples:
            self._keep_examples(batch, hyps, decoded.alphas)

    def _keep_examples(self, batch: dict, hyps: list[str], alphas, n: int = 16) -> None:
        """The first validation images with references, caption and attention, for the W&B table."""
        self.examples = []
        for i in range(min(n, len(hyps))):
            image = batch["images"][i].cpu().float() / 255.0  # (3, S, S)
            row = {"image": image, "references": " | ".join(batch["refs"][i]), "caption": hyps[i]}
            if alphas is not None:
                words = hyps[i].split()
                row["attention"] = attention_overlay(image, words, alphas[i, : len(words) + 1].cpu(), tile=64)
            self.examples.append(row)

    def _eval_epoch_end(self, stage: str) -> None:
        outputs = self.gather_lists(self._outputs)
        self._outputs = []
        unique = {i: (h, r) for i, h, r in outputs}  # DDP samplers pad with repeats
        if not unique:
            return
        hyps, refs = zip(*unique.values())
        for name, value in caption_metrics(list(hyps), [list(r) for r in refs]).items():
            self.log(f"{stage}/{name}", value, rank_zero_only=False)

    def validation_step(self, batch, batch_idx):
        self._eval_step(batch, batch_idx, "val")

    def on_validation_epoch_end(self):
        super().on_validation_epoch_end()
        self._eval_epoch_end("val")

    def test_step(self, batch, batch_idx):
        self._eval_step(batch, batch_idx, "test")

    def on_test_epoch_end(self):
        self._eval_epoch_end("test")


Module = CaptioningModule  # the name suite.registry looks up
