"""Speech LightningModule: log-mel + SpecAugment -> conv subsampling -> BiLSTM -> CTC over characters.

WER and CER are computed on decoded text (greedy, or flashlight beam search with an optional
KenLM n-gram), never on frame posteriors.

Optionally (`model.trim.top_db`) each waveform's leading and trailing silence is cut first
(tasks/speech/trim.py). A training utterance with fewer output frames than CTC needs for its transcript (a short clip, or
one sped up by perturbation) is padded with neutral feature frames up to what it needs
(`model.short_utterances: pad`), or left out of the loss and counted (`drop`). Evaluation and
predict never pad: the transcript is unknown there, and WER counts what the frames could hold.
"""
from __future__ import annotations

import logging

import jiwer
import torch
import torch.nn.functional as F
from torch import nn

from suite.data.skips import Skipped
from suite.errors import UserError
from suite.module import SuiteModule
from suite.nn.audio_frontend import ConvSubsampler, LogMel, SpecAugment
from suite.nn.cells import RNNS, check_cell
from suite.nn.ctc import build_ctc_decoder
from suite.nn.padded_rnn import run_rnn
from tasks.speech.meta import SpeechMeta
from tasks.speech.trim import trim_silence

TOO_SHORT = "too short for its transcript under CTC"
SHORT_POLICIES = ("pad", "drop")
log = logging.getLogger(__name__)


def input_frames_for(out_frames: torch.Tensor, strides: list[int]) -> torch.Tensor:
    """Fewest feature frames the conv subsampler turns into `out_frames` (its (T - 1) // s + 1, inverted)."""
    for s in reversed(strides):
        out_frames = (out_frames - 1).clamp(min=0) * s + 1
    return out_frames


def pad_frames(feats: torch.Tensor, frames: torch.Tensor, need: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, T, M) normalised features -> (B, T', M) with each utterance at least `need` frames long.

    The added frames are zeros, the utterance's own mean after normalisation (what SpecAugment masks
    with): neutral trailing frames, and positions past a length are zero already."""
    longer = torch.maximum(frames, need.to(frames.device))  # (B,)
    extra = int(longer.max()) - feats.size(1)
    if extra > 0:
        feats = F.pad(feats, (0, 0, 0, extra))  # (B, T', M)
    return feats, longer


def speech_metrics(hypotheses: list[str], references: list[str]) -> dict[str, float]:
    """Corpus WER and CER (jiwer) as fractions; references are never empty (readers skip those)."""
    if not references:
        return {"wer": 1.0, "cer": 1.0}
    return {"wer": float(jiwer.wer(references, hypotheses)), "cer": float(jiwer.cer(references, hypotheses))}


class SpeechModule(SuiteModule):
    task_name = "speech"
    item_kind = "utterances"
    meta_type = SpeechMeta
    compile_targets = ("subsample",)  # the conv front end; the BiLSTM is one fused call already
    max_examples = 8  # audio clips in the W&B table and panel per validation

    def __init__(self, model: dict, meta: SpeechMeta | dict):
        super().__init__(model, meta)
        self.itos, self.words = list(self.meta.chars.itos), list(self.meta.words)
        self.sample_rate = int(self.meta.sample_rate)
        feats, enc = model["features"], model["encoder"]
        self.frontend = LogMel(self.sample_rate, **feats)
        self.augment = SpecAugment(**model["specaugment"])
        self.subsample = ConvSubsampler(feats["n_mels"], channels=enc["channels"], time_strides=enc["time_strides"],
                                        proj_size=enc["proj_size"])
        self.rnn = RNNS[check_cell(model["cell"])](
            enc["proj_size"], enc["hidden_size"], num_layers=enc["num_layers"], batch_first=True,
            bidirectional=True, dropout=enc["dropout"] if enc["num_layers"] > 1 else 0.0)
        self.dropout = nn.Dropout(enc["dropout"])
        self.head = nn.Linear(2 * enc["hidden_size"], len(self.itos))
        self.decode_cfg = model["decode"]
        self._decoders: dict = {}
        self.short = model.get("short_utterances", "drop")  # checkpoints from before the option dropped them
        if self.short not in SHORT_POLICIES:
            raise UserError(f"model.short_utterances={self.short} is not one of {', '.join(SHORT_POLICIES)}: "
                            "pad short training utterances up to their transcript, or drop them from the loss")
        self.trim = model.get("trim") or {"top_db": None}  # checkpoints from before the option: no trimming
        self.padded: dict[str, None] = {}  # training files padded for CTC so far (ordered set)
        self._padded_reported = 0

    # --- model ---------------------------------------------------------------------------------
    def forward(self, wave: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, N) waveforms, (B,) sample counts -> (B, T, V) log-probabilities, (B,) frame counts."""
        return self.encode(*self.features(wave, lengths))

    def features(self, wave: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, N) waveforms, (B,) sample counts -> (B, T0, M) normalised log-mel, (B,) frame counts."""
        if self.trim["top_db"] is not None:
            wave, lengths = trim_silence(wave, lengths, sample_rate=self.sample_rate, **self.trim)  # (B, N')
        return self.frontend(wave, lengths)  # (B, T0, M), (B,)

    def encode(self, feats: torch.Tensor, frames: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, T0, M) features, (B,) frames -> (B, T, V) log-probabilities, (B,) frame counts."""
        feats = self.augment(feats)
        x, frames = self.subsample(feats, frames)  # (B, T, D), (B,)
        out = run_rnn(self.rnn, self.dropout(x), frames.clamp(min=1))  # (B, T, 2H), zero past each length
        return self.head(self.dropout(out)).log_softmax(-1), frames  # (B, T, V)

    def decoder(self, beam_size: int | None = None):
        d = self.decode_cfg
        beam = int(beam_size or d["beam_size"])
        if beam not in self._decoders:  # flashlight decoders take a moment to build: keep them
            self._decoders[beam] = build_ctc_decoder(self.itos, **{**d, "beam_size": beam}, words=self.words)
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
        feats, frames = self.features(batch["wave"], batch["lengths"])  # (B, T0, M), (B,)
        if self.short == "pad":
            need = input_frames_for(batch["min_frames"].to(frames.device), self.subsample.strides)  # (B,)
            for path, short in zip(batch["audio"], (frames < need).tolist()):
                if short:
                    self.padded.setdefault(path)
            feats, frames = pad_frames(feats, frames, need)  # (B, T0', M)
        log_probs, frames = self.encode(feats, frames)
        loss = self._loss(batch, log_probs, frames, count=True)
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        return loss

    def on_train_epoch_end(self) -> None:
        super().on_train_epoch_end()
        if len(self.padded) > self._padded_reported:  # said once, and again only when new files need it
            self._padded_reported = len(self.padded)
            log.info("padded %d training utterances (so far) with fewer frames than CTC needs for their transcript "
                     "with neutral frames instead of dropping them (model.short_utterances=pad), e.g. %s",
                     len(self.padded), "; ".join(list(self.padded)[:3]))

    # --- evaluation ----------------------------------------------------------------------------
    def eval_batch(self, batch: dict, stage: str) -> tuple[torch.Tensor | None, list[dict]]:
        if not batch["size"]:
            return None, []  # every file of the batch was unreadable
        log_probs, frames = self(batch["wave"], batch["lengths"])  # (B, T, V), (B,): once, for loss and decoding
        loss = self._loss(batch, log_probs, frames, count=False)
        hyps = self.decoder()(log_probs, frames)
        rows = [{"id": i, "hypothesis": h, "reference": r} for i, h, r in zip(batch["ids"], hyps, batch["refs"])]
        if self.collecting_examples(stage):  # the raw samples, for the W&B table and audio panel
            for k, row in enumerate(rows[: self.max_examples]):
                row["clip"] = batch["wave"][k, : int(batch["lengths"][k])].cpu().numpy()  # (N,)
        return loss, rows

    def score(self, rows: list[dict], stage: str) -> dict[str, float]:
        return speech_metrics([r["hypothesis"] for r in rows], [r["reference"] for r in rows])

    def example(self, row: dict) -> dict | None:
        if "clip" not in row:
            return None
        import wandb

        return {"audio": wandb.Audio(row["clip"], sample_rate=self.sample_rate), "reference": row["reference"],
                "hypothesis": row["hypothesis"]}

    def on_scored(self, rows: list[dict], stage: str) -> None:
        """W&B offline runs keep table audio only as the word "Audio" (as with images, wandb issue 4611):
        log the clips as an audio panel too, captioned reference / hypothesis."""
        from pytorch_lightning.loggers import WandbLogger

        shown = [r for r in rows if "clip" in r][: self.max_examples]
        if stage != "val" or not shown or self.trainer.sanity_checking:
            return
        for logger in self.loggers:
            if isinstance(logger, WandbLogger):
                logger.log_audio("val/audio", [r["clip"] for r in shown], step=self.global_step,
                                 caption=[f"{r['reference']} / {r['hypothesis']}" for r in shown],
                                 sample_rate=[self.sample_rate] * len(shown))
