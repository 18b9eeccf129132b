"""Speech LightningModule: log-mel + SpecAugment -> conv subsampling -> BiLSTM -> CTC over characters.

WER and CER are computed on decoded text (greedy, or flashlight beam search with an optional
KenLM n-gram), never on frame posteriors.
"""
from __future__ import annotations

import jiwer
import torch
import torch.nn.functional as F
from torch import nn

from suite.data.skips import Skipped
from suite.module import SuiteModule
from suite.nn.audio_frontend import ConvSubsampler, LogMel, SpecAugment
from suite.nn.cells import check_cell
from suite.nn.ctc import build_ctc_decoder
from suite.nn.cells import RNNS
from suite.nn.padded_rnn import run_rnn

TOO_SHORT = "too short for its transcript under CTC"


def speech_metrics(hypotheses: list[str], references: list[str]) -> dict[str, float]:
    """Corpus WER and CER (jiwer) as fractions; references are never empty (readers skip those)."""
    if not references:
        return {"wer": 1.0, "cer": 1.0}
    return {"wer": float(jiwer.wer(references, hypotheses)), "cer": float(jiwer.cer(references, hypotheses))}


class SpeechModule(SuiteModule):
    task_name = "speech"
    item_kind = "utterances"
    compile_targets = ("subsample",)  # the conv front end; the BiLSTM is one fused call already

    def __init__(self, model: dict, meta: dict):
        super().__init__(model, meta)
        self.itos, self.words = list(meta["vocab"]["itos"]), list(meta["vocab"].get("words", []))
        self.sample_rate = int(meta["data"]["sample_rate"])
        feats, enc, aug = model["features"], model["encoder"], model["specaugment"]
        self.frontend = LogMel(self.sample_rate, n_mels=feats["n_mels"], win_ms=feats["win_ms"],
                               hop_ms=feats["hop_ms"])
        self.augment = SpecAugment(**aug)
        self.subsample = ConvSubsampler(feats["n_mels"], enc["channels"], enc["time_strides"], enc["proj_size"])
        self.rnn = RNNS[check_cell(model["cell"])](
            enc["proj_size"], enc["hidden_size"], num_layers=enc["num_layers"], batch_first=True,
            bidirectional=True, dropout=enc["dropout"] if enc["num_layers"] > 1 else 0.0)
        self.dropout = nn.Dropout(enc["dropout"])
        self.head = nn.Linear(2 * enc["hidden_size"], len(self.itos))
        self.decode_cfg = model["decode"]
        self._decoders: dict = {}
        self._outputs: list = []
        self._clips: list = []  # raw samples of self.examples' audio, for the W&B audio panel

    # --- model ---------------------------------------------------------------------------------
    def forward(self, wave: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, N) waveforms, (B,) sample counts -> (B, T, V) log-probabilities, (B,) frame counts."""
        feats, frames = self.frontend(wave, lengths)  # (B, T0, M), (B,)
        feats = self.augment(feats)
        x, frames = self.subsample(feats, frames)  # (B, T, D), (B,)
        out = run_rnn(self.rnn, self.dropout(x), frames.clamp(min=1))  # (B, T, 2H), zero past each length
        return self.head(self.dropout(out)).log_softmax(-1), frames  # (B, T, V)

    def decoder(self, beam_size: int | None = None):
        d = self.decode_cfg
        beam = int(beam_size or d["beam_size"])
        if beam not in self._decoders:  # flashlight decoders take a moment to build: keep them
            self._decoders[beam] = build_ctc_decoder(self.itos, beam, lm=d.get("lm"), words=self.words,
                                                     lm_weight=d["lm_weight"], word_score=d["word_score"])
        return self._decoders[beam]

    def transcribe(self, wave: torch.Tensor, lengths: torch.Tensor, beam_size: int | None = None) -> list[str]:
        log_probs, frames = self(wave, lengths)
        return self.decoder(beam_size)(log_probs, frames)

    # --- training ------------------------------------------------------------------------------
    def _loss(self, batch: dict, log_probs: torch.Tensor, frames: torch.Tensor, count: bool) -> torch.Tensor:
        """Mean per-character CTC loss (fp32) over the utterances long enough for their transcript."""
        ok = frames.to(batch["min_frames"].device) >= batch["min_frames"]  # (B,)
        if count and not bool(ok.all()):
            self.skips.add([Skipped(a, TOO_SHORT) for a, good in zip(batch["audio"], ok.tolist()) if not good])
        if not bool(ok.any()):
            return log_probs.sum() * 0.0  # keeps the graph (and DDP's gradient sync) intact
        losses = F.ctc_loss(log_probs.float().transpose(0, 1), batch["targets"], frames, batch["target_lengths"],
                            blank=0, reduction="none", zero_infinity=True)  # (B,)
        per_char = losses / batch["target_lengths"].clamp(min=1)
        return per_char[ok].mean()

    def training_step(self, batch: dict, batch_idx: int):
        self.count_skipped(batch)
        if not batch["size"]:
            return None  # every file of the batch was unreadable
        log_probs, frames = self(batch["wave"], batch["lengths"])
        loss = self._loss(batch, log_probs, frames, count=True)
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        return loss

    # --- evaluation ----------------------------------------------------------------------------
    def _eval_step(self, batch: dict, stage: str) -> None:
        self.count_skipped(batch)
        if not batch["size"]:
            return
        log_probs, frames = self(batch["wave"], batch["lengths"])
        self.log(f"{stage}/loss", self._loss(batch, log_probs, frames, count=False), batch_size=batch["size"],
                 sync_dist=True)
        hyps = self.decoder()(log_probs, frames)
        self._outputs.extend(zip(batch["ids"], hyps, batch["refs"]))
        if stage == "val" and self.keep_examples and len(self.examples) < 8:
            self._keep_examples(batch, hyps)

    def _keep_examples(self, batch: dict, hyps: list[str]) -> None:
        import wandb

        for k in range(min(8 - len(self.examples), batch["size"])):
            clip = batch["wave"][k, : int(batch["lengths"][k])].cpu().numpy()
            self._clips.append(clip)
            self.examples.append({"audio": wandb.Audio(clip, sample_rate=self.sample_rate),
                                  "reference": batch["refs"][k], "hypothesis": hyps[k]})

    def _eval_epoch_end(self, stage: str) -> None:
        outputs = self.gather_lists(self._outputs)
        self._outputs = []
        unique = {i: (h, r) for i, h, r in outputs}  # DDP samplers pad with repeats
        if unique:
            hyps, refs = zip(*unique.values())
            for name, value in speech_metrics(list(hyps), list(refs)).items():
                self.log(f"{stage}/{name}", value)

    def on_validation_epoch_start(self) -> None:
        self.examples, self._clips = [], []

    def validation_step(self, batch, batch_idx):
        self._eval_step(batch, "val")

    def on_validation_epoch_end(self):
        super().on_validation_epoch_end()
        self._eval_epoch_end("val")
        self._log_audio_panel()

    def _log_audio_panel(self) -> None:
        """W&B offline runs keep table audio only as the word "Audio" (as with images, wandb issue 4611):
        log the clips as an audio panel too, captioned reference / hypothesis."""
        from pytorch_lightning.loggers import WandbLogger

        if not self.examples or self.trainer.sanity_checking:
            return
        for logger in self.loggers:
            if isinstance(logger, WandbLogger):
                logger.log_audio("val/audio", list(self._clips), step=self.global_step,
                                 caption=[f"{e['reference']} / {e['hypothesis']}" for e in self.examples],
                                 sample_rate=[self.sample_rate] * len(self._clips))

    def test_step(self, batch, batch_idx):
        self._eval_step(batch, "test")

    def on_test_epoch_end(self):
        self._eval_epoch_end("test")


Module = SpeechModule  # the name suite.registry looks up
