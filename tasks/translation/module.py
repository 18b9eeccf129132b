"""Translation LightningModule: BiLSTM encoder -> attention LSTM decoder; BLEU/chrF on decoded text."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from suite.metrics import translation_metrics
from suite.module import SuiteModule
from suite.nn.luong_decoder import LuongDecoder
from suite.nn.search import Hypotheses, beam_search, greedy_search
from suite.nn.text_encoder import RecurrentTextEncoder
from tasks.translation.attention_plot import hypothesis_heatmap
from tasks.translation.meta import TranslationMeta


class TranslationModule(SuiteModule):
    task_name = "translation"
    item_kind = "sentence pairs"
    meta_type = TranslationMeta

    def __init__(self, model: dict, meta: TranslationMeta | dict):
        super().__init__(model, meta)
        self.src, self.tgt = self.meta.src, self.meta.tgt
        self.encoder = RecurrentTextEncoder(len(self.src.vocab), **model["encoder"], pad_id=self.src.vocab.pad)
        self.decoder = LuongDecoder(len(self.tgt.vocab), self.encoder.out_dim, **model["decoder"],
                                    pad_id=self.tgt.vocab.pad)
        self.label_smoothing = float(model["label_smoothing"])
        self.decode_cfg = model["decode"]

    def _start(self, src: torch.Tensor, lengths: torch.Tensor):
        """Encode once: the decoder's start (state, cache), shared by teacher forcing and search."""
        memory, summary = self.encoder(src, lengths)  # (B, S, D), (B, D)
        mask = torch.arange(src.size(1), device=src.device).unsqueeze(0) < lengths.to(src.device).unsqueeze(1)  # (B, S)
        return self.decoder.start(memory, mask, summary)

    # --- decoding ------------------------------------------------------------------------------
    def translate(self, src: torch.Tensor, lengths: torch.Tensor, beam_size: int | None = None,
                  start=None) -> Hypotheses:
        """Padded source ids (B, S) -> best hypothesis per sentence (greedy when beam_size == 1);
        `start` is the decoder start of these sources when the caller has encoded them already."""
        beam = beam_size or self.decode_cfg["beam_size"]
        state, cache = start if start is not None else self._start(src, lengths)
        # outputs rarely run past ratio x source length; the cap bounds time and memory on long inputs
        max_len = min(int(self.decode_cfg["max_len_ratio"] * int(lengths.max())) + 5, self.decode_cfg["max_len"])
        kw = dict(bos=self.tgt.vocab.bos, eos=self.tgt.vocab.eos, max_len=max_len)
        if beam == 1:
            return greedy_search(self.decoder, state, cache, **kw)
        return beam_search(self.decoder, state, cache, beam_size=beam,
                           length_alpha=self.decode_cfg.get("length_penalty", 0.0), **kw)

    def texts(self, hyps: Hypotheses) -> list[str]:
        return [self.tgt.decode(row) for row in hyps.tokens.tolist()]

    # --- training ------------------------------------------------------------------------------
    def _loss(self, batch: dict, start=None) -> torch.Tensor:
        state, cache = start if start is not None else self._start(batch["src"], batch["src_lengths"])
        logits, _ = self.decoder(batch["tgt_in"], state, cache)  # (B, T, V)
        return F.cross_entropy(logits.float().flatten(0, 1), batch["tgt_out"].flatten(),
                               ignore_index=self.tgt.vocab.pad, label_smoothing=self.label_smoothing)

    def training_step(self, batch: dict, batch_idx: int):
        loss = self._loss(batch)
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        return loss

    # --- evaluation ----------------------------------------------------------------------------
    def eval_batch(self, batch: dict, stage: str) -> tuple[torch.Tensor, list[dict]]:
        start = self._start(batch["src"], batch["src_lengths"])  # encoded once for the loss and the search
        loss = self._loss(batch, start)
        result = self.translate(batch["src"], batch["src_lengths"], start=start)
        rows = [{"id": i, "hypothesis": h, "reference": r, "source": s}
                for i, h, r, s in zip(batch["ids"], self.texts(result), batch["refs"], batch["sources"])]
        if self.collecting_examples(stage) and result.alphas is not None:
            for k, row in enumerate(rows[: self.max_examples]):  # output tokens against source tokens
                row["attention"] = hypothesis_heatmap(self, row["source"], result, k)
        return loss, rows

    def score(self, rows: list[dict], stage: str) -> dict[str, float]:
        return translation_metrics([r["hypothesis"] for r in rows], [r["reference"] for r in rows])

    def example(self, row: dict) -> dict:
        keys = ("source", "reference", "hypothesis", "attention")
        return {k: row[k] for k in keys if k in row}
