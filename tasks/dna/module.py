"""DNA LightningModule: one-hot bases -> conv motif detectors -> max-pool -> BiLSTM (DanQ; `model=cnn`
leaves it out) -> masked pooling -> dense head; binary / multi-class / multi-label by the metadata."""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from pytorch_lightning.loggers import WandbLogger
from torch import nn
from torchmetrics.functional import classification as tmf

from suite.errors import UserError
from suite.module import SuiteModule
from suite.nn.cells import RNNS, check_cell
from suite.nn.padded_rnn import reverse_within, run_rnn
from suite.nn.sequence_heads import length_mask, masked_pool
from tasks.dna import N_INDEX, DnaMeta


def one_hot(seq: torch.Tensor) -> torch.Tensor:
    """(B, L) base indices -> (B, L, 4) one-hot; N and padding are all zeros."""
    return F.one_hot(seq.long(), N_INDEX + 1)[..., :N_INDEX].float()


def reverse_complement(seq: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """(B, L) base indices -> the other strand, each row reversed within its length (padding stays)."""
    comp = torch.where(seq < N_INDEX, 3 - seq.long(), seq.long())  # A<->T, C<->G (indices 0..3)
    return reverse_within(comp.unsqueeze(2), lengths).squeeze(2)


class DanQ(nn.Module):
    """conv -> ReLU -> max-pool -> (Bi)RNN over the pooled positions -> masked pool -> dense (with
    classifier.conv_skip, the dense layers also read the max-pooled conv features).
    Padding never changes a prediction: inputs and conv outputs past each length are zeroed before pooling
    (zeros never win a max of ReLU outputs), and the RNN and the final pooling see real steps only."""

    def __init__(self, n_out: int, conv: dict, rnn: dict | None, classifier: dict):
        super().__init__()
        if conv["kernel_size"] % 2 == 0:
            raise UserError(f"model.conv.kernel_size={conv['kernel_size']} is even: use an odd size (e.g. 15)")
        self.conv = nn.Conv1d(4, conv["filters"], conv["kernel_size"], padding=conv["kernel_size"] // 2)
        self.pool, self.pooling = int(conv["pool"]), classifier["pooling"]
        self.bidirectional = bool(rnn and rnn["bidirectional"])  # for `last` pooling
        self.dropout = nn.Dropout(conv["dropout"])
        width = conv["filters"]
        self.rnn = None
        # the head also reads the max-pooled conv features: the motif detectors get a gradient that does
        # not first pass through the RNN (checkpoints from before the option have none)
        self.conv_skip = bool(rnn) and bool(classifier.get("conv_skip", False))
        if rnn:
            self.rnn = RNNS[check_cell(rnn["cell"])](width, rnn["hidden_size"], num_layers=rnn["num_layers"],
                                                     batch_first=True, bidirectional=rnn["bidirectional"])
            width = rnn["hidden_size"] * (2 if rnn["bidirectional"] else 1) + (conv["filters"] if self.conv_skip else 0)
        self.head = nn.Sequential(nn.Dropout(classifier["dropout"]), nn.Linear(width, classifier["hidden_size"]),
                                  nn.ReLU(), nn.Dropout(classifier["dropout"]),
                                  nn.Linear(classifier["hidden_size"], n_out))

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """x (B, L, 4) one-hot, lengths (B,) -> logits (B, n_out)."""
        lengths = lengths.to(x.device)
        mask = length_mask(lengths, x.size(1)).unsqueeze(1)  # (B, 1, L)
        h = F.relu(self.conv(x.transpose(1, 2) * mask))  # (B, F, L): padding reads as N, as past the end
        h = h * mask  # (B, F, L), zero past each length
        h = F.max_pool1d(h, self.pool, self.pool, ceil_mode=True).transpose(1, 2)  # (B, T, F)
        steps = torch.div(lengths + self.pool - 1, self.pool, rounding_mode="floor")  # (B,)
        h = self.dropout(h)
        if self.rnn is None:
            return self.head(masked_pool(h, steps, self.pooling, False))  # (B, n_out)
        features = masked_pool(run_rnn(self.rnn, h, steps), steps, self.pooling, self.bidirectional)  # (B, D)
        if self.conv_skip:
            features = torch.cat([features, masked_pool(h, steps, "max", False)], 1)  # (B, D + F)
        return self.head(features)  # (B, n_out)


class DnaModule(SuiteModule):
    task_name = "dna"
    item_kind = "sequences"
    meta_type = DnaMeta

    def __init__(self, model: dict, meta: DnaMeta | dict):
        super().__init__(model, meta)
        self.label_type, self.classes = self.meta.label_type, list(self.meta.classes)
        n_out = 1 if self.label_type == "binary" else len(self.classes)
        self.net = DanQ(n_out, model["conv"], model.get("rnn"), model["classifier"])
        self.rc_augment = bool(self.meta.data.get("rc_augment", False))
        self.rc_average = bool(self.meta.data.get("rc_average", False))

    # --- model ---------------------------------------------------------------------------------
    def forward(self, seq: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """(B, L) base indices, (B,) lengths -> logits (B, n_out)."""
        return self.net(one_hot(seq), lengths)

    def loss(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if self.label_type == "multiclass":
            return F.cross_entropy(logits.float(), target)
        return F.binary_cross_entropy_with_logits(logits.float().reshape(target.shape), target)

    def to_probs(self, logits: torch.Tensor) -> torch.Tensor:
        """logits (B, n_out) -> class probabilities (B, C); binary: [negative, positive]."""
        logits = logits.float()
        if self.label_type == "binary":
            p = torch.sigmoid(logits[:, 0])  # (B,)
            return torch.stack([1 - p, p], 1)
        return logits.softmax(-1) if self.label_type == "multiclass" else torch.sigmoid(logits)

    @torch.no_grad()
    def probabilities(self, seq: torch.Tensor, lengths: torch.Tensor, logits: torch.Tensor | None = None):
        """(B, C) probabilities; with data.rc_average, the mean of both strands' predictions."""
        probs = self.to_probs(self(seq, lengths) if logits is None else logits)
        if self.rc_average:
            probs = (probs + self.to_probs(self(reverse_complement(seq, lengths), lengths))) / 2
        return probs

    # --- training ------------------------------------------------------------------------------
    def training_step(self, batch: dict, batch_idx: int):
        seq, lengths = batch["seq"], batch["lengths"]
        if self.rc_augment:  # each sequence read from a random strand
            flip = torch.rand(seq.size(0), device=seq.device) < 0.5  # (B,)
            seq = torch.where(flip.unsqueeze(1), reverse_complement(seq, lengths).to(seq.dtype), seq)
        loss = self.loss(self(seq, lengths), batch["target"])
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        return loss

    # --- evaluation ----------------------------------------------------------------------------
    def eval_batch(self, batch: dict, stage: str) -> tuple[torch.Tensor, list[dict]]:
        logits = self(batch["seq"], batch["lengths"])  # (B, n_out)
        probs = self.probabilities(batch["seq"], batch["lengths"], logits)  # (B, C)
        rows = [{"id": i, "probs": p, "target": t}
                for i, p, t in zip(batch["ids"], probs.cpu(), batch["target"].cpu())]
        return self.loss(logits, batch["target"]), rows

    def score(self, rows: list[dict], stage: str) -> dict[str, float]:
        probs = torch.stack([r["probs"] for r in rows])  # (N, C)
        target = torch.stack([r["target"] for r in rows])  # (N,) or (N, C)
        out = metrics(probs, target, self.label_type, self.classes)
        datamodule = getattr(self.trainer, "datamodule", None) if self._trainer is not None else None
        kmer = getattr(datamodule, "kmer_accuracy", {}) if datamodule is not None else {}
        if stage in kmer:
            out["acc_kmer"] = kmer[stage]
        return out

    def on_fit_end(self) -> None:
        """The first convolution's filters as sequence logos of their sites in the validation split (else
        train), into the run dir (filter_logos.png, filter_motifs.meme) and W&B."""
        from tasks.dna.interpret import export_filters

        datamodule = getattr(self.trainer, "datamodule", None)
        items = getattr(datamodule, "items", None) or {}
        seqs = [it["seq"] for it in (items.get("val") or items.get("train") or [])][:LOGO_SEQUENCES]
        if not self.trainer.is_global_zero or not seqs:
            return
        split = "validation" if items.get("val") else "training"
        with torch.no_grad():
            path = export_filters(self.net.conv, seqs, Path(self.trainer.default_root_dir), f"{split} sequences")
        for logger in self.trainer.loggers:
            if isinstance(logger, WandbLogger):
                logger.log_image("filters/logos", [str(path)], step=self.global_step)


LOGO_SEQUENCES = 2000  # validation sequences whose windows make the logos: thousands of sites, a second of work


def metrics(probs: torch.Tensor, target: torch.Tensor, label_type: str, classes: list[str]) -> dict[str, float]:
    """Accuracy, macro F1, AUROC, AUPRC (torchmetrics), and AUPRC per class beyond binary."""
    c = len(classes)
    if label_type == "binary":
        p, y = probs[:, 1], target.long()
        out = {"acc": tmf.binary_accuracy(p, y), "f1": tmf.multiclass_f1_score((p > 0.5).long(), y, 2, average="macro"),
               "auroc": tmf.binary_auroc(p, y), "auprc": tmf.binary_average_precision(p, y)}
        return {k: float(v) for k, v in out.items()}
    if label_type == "multiclass":
        out = {"acc": tmf.multiclass_accuracy(probs, target, c, average="micro"),
               "f1": tmf.multiclass_f1_score(probs, target, c, average="macro"),
               "auroc": tmf.multiclass_auroc(probs, target, c), "auprc": tmf.multiclass_average_precision(probs, target, c)}
        per = tmf.multiclass_average_precision(probs, target, c, average=None)
    else:
        y = target.long()
        out = {"acc": tmf.multilabel_accuracy(probs, y, c), "f1": tmf.multilabel_f1_score(probs, y, c),
               "auroc": tmf.multilabel_auroc(probs, y, c), "auprc": tmf.multilabel_average_precision(probs, y, c)}
        per = tmf.multilabel_average_precision(probs, y, c, average=None)
    out.update({f"auprc_{name}": v for name, v in zip(classes, per)})
    return {k: float(v) for k, v in out.items()}
