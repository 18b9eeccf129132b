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
from tasks.translation.datamodule import Side


class TranslationModule(SuiteModule):
    task_name = "translation"
    item_kind = "sentence pairs"

    def __init__(self, model: dict, meta: dict):
        super().__init__(model, meta)
        self.src, self.tgt = Side.from_dict(meta["vocab"]["src"]), Side.from_dict(meta["vocab"]["tgt"])
        enc, dec = model["encoder"], model["decoder"]
        self.encoder = RecurrentTextEncoder(
            len(self.src.vocab), cell=enc["cell"], embed_size=enc["embed_size"], hidden_size=enc["hidden_size"],
            num_layers=enc["num_layers"], bidirectional=enc["bidirectional"], dropout=enc["dropout"])
        self.decoder = LuongDecoder(
            len(self.tgt.vocab), self.encoder.out_dim, cell=dec["cell"], embed_size=dec["embed_size"],
            hidden_size=dec["hidden_size"], num_layers=dec["num_layers"], attention=dec["attention"],
            input_feeding=dec["input_feeding"], dropout=dec["dropout"], tie_embeddings=dec["tie_embeddings"])
        self.label_smoothing = float(dec.get("label_smoothing", 0.0))
        self.decode_cfg = model["decode"]
        self._outputs: list = []

    def _start(self, src: torch.Tensor, lengths: torch.Tensor):
        memory, summary = self.encoder(src, lengths)  # (B, S, D), (B, D)
        mask = torch.arange(src.size(1), device=src.device).unsqueeze(0) < lengths.to(src.device).unsqueeze(1)  # (B, S)
        return self.decoder.start(memory, mask, summary)

    # --- decoding ------------------------------------------------------------------------------
    def translate(self, src: torch.Tensor, lengths: torch.Tensor, beam_size: int | None = None) -> Hypotheses:
        """Padded source ids (B, S) -> best hypothesis per sentence (greedy when beam_size == 1)."""
        beam = beam_size or self.decode_cfg["beam_size"]
        state, cache = self._start(src, lengths)
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
    def _loss(self, batch: dict) -> torch.Tensor:
        state, cache = self._start(batch["src"], batch["src_lengths"])
        logits, _ = self.decoder(batch["tgt_in"], state, cache)  # (B, T, V)
        return F.cross_entropy(logits.float().flatten(0, 1), batch["tgt_out"].flatten(),
                               ignore_index=self.tgt.vocab.pad, label_smoothing=self.label_smoothing)

    def training_step(self, batch: dict, batch_idx: int):
        loss = self._loss(batch)
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        return loss

    # --- evaluation ----------------------------------------------------------------------------
    def _eval_step(self, batch: dict, stage: str) -> None:
        self.log(f"{stage}/loss", self._loss(batch), batch_size=batch["size"], sync_dist=True)
        result = self.translate(batch["src"], batch["src_lengths"])
        hyps = self.texts(result)
        self._outputs.extend(zip(batch["ids"], hyps, batch["refs"]))
        if stage == "val" and not self.examples and self.keep_examples:
            rows = list(zip(batch["sources"], batch["refs"], hyps))[:16]
            self.examples = [{"source": s, "reference": r, "hypothesis": h} for s, r, h in rows]
            if result.alphas is not None:  # the attention overlay: output tokens against source tokens
                for k, row in enumerate(self.examples):
                    row["attention"] = hypothesis_heatmap(self, row["source"], result, k)

    def _eval_epoch_end(self, stage: str) -> None:
        outputs = self.gather_lists(self._outputs)
        self._outputs = []
        unique = {i: (h, r) for i, h, r in outputs}  # DDP samplers pad with repeats
        if unique:
            hyps, refs = zip(*unique.values())
            for name, value in translation_metrics(list(hyps), list(refs)).items():
                self.log(f"{stage}/{name}", value)

    def on_validation_epoch_start(self) -> None:
        self.examples = []

    def validation_step(self, batch, batch_idx):
        self._eval_step(batch, "val")

    def on_validation_epoch_end(self):
        super().on_validation_epoch_end()
        self._eval_epoch_end("val")

    def test_step(self, batch, batch_idx):
        self._eval_step(batch, "test")

    def on_test_epoch_end(self):
        self._eval_epoch_end("test")


Module = TranslationModule  # the name suite.registry looks up
