"""The music models: `melody_rnn` (embedding -> LSTM/GRU/RNN -> softmax over the next 16th-step
event) and `poly_rnn` (piano-roll frames -> LSTM/GRU/RNN -> an independent Bernoulli per key).

Metrics, each weighting every time step of the split equally (summed over the split's steps, divided
by their number): melody_rnn `nll` (nats per event) and `nll_ngram` (the n-gram baseline, ngram.py, on
the same events); poly_rnn `frame_nll` (nats per frame, summed over the 88 keys) and
`frame_nll_marginal` (the per-key training-frequency baseline, frames.py, on the same frames). At
test time also the musical statistics of generated samples and of the held-out pieces (stats.py:
gen_<stat>, data_<stat>). With a W&B logger, each validation logs a table of a few samples: audio,
piano roll, ABC text (samples.py).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from suite.errors import UserError
from suite.module import SuiteModule
from suite.nn.language_model import RecurrentLM
from tasks.music import stats
from tasks.music.events import BOS, FIRST_PITCH_ID, PAD, MusicMeta
from tasks.music.frames import Marginal
from tasks.music.lookback import AttentiveLM
from tasks.music.poly import PolyRNN
from tasks.music.render import SAMPLE_RATE
from tasks.music.samples import EXAMPLES, sample_table

# representation -> (metric, baseline metric): the names in metrics.json
METRICS = {"events": ("nll", "nll_ngram"), "pianoroll": ("frame_nll", "frame_nll_marginal")}


class MusicModule(SuiteModule):
    task_name = "music"
    item_kind = "pieces"
    meta_type = MusicMeta
    max_examples = EXAMPLES  # generated samples in the W&B table per validation

    def __init__(self, model: dict, meta: MusicMeta | dict):
        super().__init__(model, meta)
        wanted = model.get("representation", "events")
        if wanted != self.meta.representation:
            raise UserError(f"model={model.get('name')} reads {wanted} but the data was encoded as "
                            f"{self.meta.representation}: leave data.representation to the model (it follows "
                            "model.representation)")
        sizes = {k: model[k] for k in ("cell", "embed_size", "hidden_size", "num_layers", "dropout")}
        self.poly = wanted == "pianoroll"
        if self.poly:
            self.marginal = Marginal(self.meta.marginal)
            self.net = PolyRNN(**sizes, bias=self.marginal.logits())
        elif model.get("attention"):  # an attention over the LSTM's past (lookback.py)
            self.net = AttentiveLM(self.meta.vocab_size, pad_id=PAD, attention=int(model["attention"]), **sizes)
        else:
            self.net = RecurrentLM(self.meta.vocab_size, pad_id=PAD, **sizes)
        self.metric, self.baseline = METRICS[wanted]
        self.samples: list[dict] = []  # this validation's rendered samples (W&B only): table rows and panels

    def step_nll(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, T) nats of every time step (0 on padding) and the (B, T) mask of real steps."""
        if self.poly:
            logits, _ = self.net(batch["x"])  # (B, T, 88)
            mask = torch.arange(batch["y"].shape[1], device=self.device)[None] < batch["lengths"].to(self.device)[:, None]
            return PolyRNN.frame_nll(logits, batch["y"]) * mask, mask  # (B, T)
        logits, _, _ = self.net(batch["x"])  # (B, T, V)
        y = batch["y"]
        nll = F.cross_entropy(logits.float().transpose(1, 2), y, ignore_index=PAD, reduction="none")  # (B, T)
        return nll, y != PAD

    def training_step(self, batch: dict, batch_idx: int):
        nll, mask = self.step_nll(batch)
        loss = nll.sum() / mask.sum().clamp(min=1)  # nats per time step
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        return loss

    def eval_batch(self, batch: dict, stage: str) -> tuple[torch.Tensor, list[dict]]:
        nll, mask = self.step_nll(batch)
        per_item, counts = nll.sum(1).double().tolist(), mask.sum(1).tolist()
        if self.poly:  # the baseline on the same frames
            base = (self.marginal.nll(batch["y"]) * mask).sum(1).tolist()  # (B,)
        else:
            base = batch["ngram"].tolist() if "ngram" in batch else [None] * len(per_item)
        rows = [{"id": i, "nll": s, "n": n, "base": b} for i, s, n, b in zip(batch["ids"], per_item, counts, base)]
        if stage == "test":  # the held-out pieces' musical statistics, set beside the samples' in score
            for row, piece in zip(rows, stats.held_out(batch, self.meta)):
                row["stats"] = piece
        return nll.sum() / max(sum(counts), 1), rows

    def score(self, rows: list[dict], stage: str) -> dict[str, float]:
        n = sum(r["n"] for r in rows)
        out = {self.metric: sum(r["nll"] for r in rows) / n}
        if all(r["base"] is not None for r in rows):
            out[self.baseline] = sum(r["base"] for r in rows) / n
        if stage == "test":
            out.update(stats.mean_stats([r["stats"] for r in rows], "data_"))
            out.update(stats.mean_stats(stats.generated(self), "gen_"))
        return out

    # --- W&B samples ---------------------------------------------------------------------------
    def on_validation_epoch_start(self) -> None:
        """With a W&B logger (keep_examples), a few seeded samples become the prediction table's rows."""
        super().on_validation_epoch_start()
        self.samples = []
        if not self.keep_examples or self.trainer.sanity_checking or not self.trainer.is_global_zero:
            return
        import wandb

        self.samples = sample_table(self, self.max_examples)
        self.examples = [{"seed": s["seed"], "audio": wandb.Audio(s["audio"], sample_rate=SAMPLE_RATE),
                          "pianoroll": wandb.Image(s["pianoroll"]), "abc": s["abc"]} for s in self.samples]

    def on_scored(self, rows: list[dict], stage: str) -> None:
        """W&B offline runs keep table media only as the words "Audio" and "Image" (wandb issue 4611):
        the samples' audio and piano rolls are logged as panels too, captioned by seed."""
        from pytorch_lightning.loggers import WandbLogger

        shown, self.samples = self.samples, []
        if stage != "val" or not shown:
            return
        captions = [f"seed {s['seed']}" for s in shown]
        for logger in self.loggers:
            if isinstance(logger, WandbLogger):
                logger.log_audio("val/sample_audio", [s["audio"] for s in shown], step=self.global_step,
                                 caption=captions, sample_rate=[SAMPLE_RATE] * len(shown))
                logger.log_image("val/sample_pianoroll", [s["pianoroll"] for s in shown], step=self.global_step,
                                 caption=captions)

    # --- sampling ------------------------------------------------------------------------------
    @torch.no_grad()
    def sample(self, primer, steps: int, temperature: float = 1.0, top_k: int | None = None,
               generator: torch.Generator | None = None):
        """`steps` time steps continuing `primer`: event ids (a list) for melody_rnn, 0/1 frames
        (P, 88) for poly_rnn (empty: from the start symbol / a silent frame alone)."""
        was_training = self.training
        self.eval()
        try:
            if self.poly:
                return self.net.sample(primer, steps, temperature, top_k, generator)
            return self._sample_events(primer, steps, temperature, top_k, generator)
        finally:
            self.train(was_training)

    def _sample_events(self, primer: list[int], steps: int, temperature: float, top_k: int | None,
                       generator: torch.Generator | None) -> list[int]:
        logits, _, state = self.net(torch.tensor([[BOS, *primer]], device=self.device))  # warm the state on the primer
        out = []
        for _ in range(steps):
            last = logits[0, -1].float() / max(temperature, 1e-6)  # (V,)
            last[:FIRST_PITCH_ID - 2] = -float("inf")  # never PAD or BOS
            if top_k:
                kth = torch.topk(last, min(int(top_k), last.numel())).values[-1]
                last = last.masked_fill(last < kth, -float("inf"))
            nxt = int(torch.multinomial(torch.softmax(last, -1).cpu(), 1, generator=generator))
            out.append(nxt)
            logits, _, state = self.net(torch.tensor([[nxt]], device=self.device), state)
        return out
