"""Sentiment LightningModule: embeddings -> (Bi)LSTM over packed reviews -> masked pooling -> classifier."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from pytorch_lightning.loggers import WandbLogger
from torchmetrics.functional.classification import multiclass_confusion_matrix

from suite.module import SuiteModule
from suite.nn.gradient_probe import stepwise_states
from suite.nn.sequence_heads import PooledClassifier
from suite.nn.text_encoder import RecurrentTextEncoder
from tasks.sentiment.meta import SentimentMeta


def scores(matrix: torch.Tensor) -> dict[str, float]:
    """Accuracy and macro F1 (mean over labels; a label never predicted nor present is left out)
    from a (C, C) confusion matrix, rows = true labels."""
    matrix = matrix.double()
    tp = matrix.diag()  # (C,)
    support, predicted = matrix.sum(1), matrix.sum(0)  # (C,), (C,)
    present = (support + predicted) > 0
    f1 = 2 * tp / (support + predicted).clamp(min=1)  # (C,)
    macro = float(f1[present].mean()) if present.any() else 0.0
    return {"acc": float(tp.sum() / matrix.sum().clamp(min=1)), "f1": macro}


class SentimentModule(SuiteModule):
    task_name = "sentiment"
    item_kind = "reviews"
    meta_type = SentimentMeta

    def __init__(self, model: dict, meta: SentimentMeta | dict):
        super().__init__(model, meta)
        words = self.meta.words
        self.encoder = RecurrentTextEncoder(len(words), **model["encoder"], pad_id=words.pad)
        self.head = PooledClassifier(self.encoder.out_dim, len(self.meta.labels), **model["classifier"],
                                     bidirectional=model["encoder"]["bidirectional"])

    # --- model ---------------------------------------------------------------------------------
    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """tokens (B, T), lengths (B,) -> label logits (B, C)."""
        states, _ = self.encoder(tokens, lengths)  # (B, T, D), zero at padding
        return self.head(states, lengths)  # (B, C)

    def sequence_outputs(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """(loss, states) for callbacks=gradient_flow: the loss and the top recurrent layer's states (B, T, D)
        on the recurrent path, so d loss / d states[:, t] includes every path through later (forward half)
        and earlier (backward half) steps. Runs the layer step by step: one diagnostic batch, not training."""
        emb = self.encoder.dropout(self.encoder.embed(batch["tokens"]))  # (B, T, E)
        outputs, states = stepwise_states(self.encoder.rnn, emb, batch["lengths"])  # (B, T, D) x2
        logits = self.head(outputs, batch["lengths"])  # (B, C)
        return F.cross_entropy(logits.float(), batch["labels"]), states

    @torch.no_grad()
    def classify(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Label probabilities (B, C) in eval mode."""
        return self(tokens, lengths).float().softmax(-1)

    # --- training ------------------------------------------------------------------------------
    def training_step(self, batch: dict, batch_idx: int):
        loss = F.cross_entropy(self(batch["tokens"], batch["lengths"]).float(), batch["labels"])
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        return loss

    # --- evaluation ----------------------------------------------------------------------------
    def eval_batch(self, batch: dict, stage: str) -> tuple[torch.Tensor, list[dict]]:
        logits = self(batch["tokens"], batch["lengths"]).float()  # (B, C)
        probs = logits.softmax(-1)  # (B, C)
        best, pred = probs.max(-1)  # (B,), (B,)
        rows = [{"id": i, "predicted": k, "label": y, "probability": p}
                for i, k, y, p in zip(batch["ids"], pred.tolist(), batch["labels"].tolist(), best.tolist())]
        if self.collecting_examples(stage):
            for row, text in zip(rows, batch["texts"]):
                row["review"] = text[:500]  # only the shown rows carry their text
        return F.cross_entropy(logits, batch["labels"]), rows

    def confusion(self, rows: list[dict]) -> torch.Tensor:
        """(C, C) counts, rows = true labels, columns = predicted."""
        pred = torch.tensor([r["predicted"] for r in rows])  # (N,)
        gold = torch.tensor([r["label"] for r in rows])  # (N,)
        return multiclass_confusion_matrix(pred, gold, num_classes=len(self.meta.labels))

    def score(self, rows: list[dict], stage: str) -> dict[str, float]:
        """Accuracy and macro F1, and acc_bow: the bag-of-words baseline's accuracy on the same split."""
        out = scores(self.confusion(rows))
        datamodule = getattr(self.trainer, "datamodule", None) if self._trainer is not None else None
        bow = getattr(datamodule, "bow_accuracy", {}) if datamodule is not None else {}
        if stage in bow:
            out["acc_bow"] = bow[stage]
        return out

    def example(self, row: dict) -> dict | None:
        if "review" not in row:
            return None
        labels = self.meta.labels
        return {"review": row["review"], "label": labels[row["label"]],
                "predicted": f"{labels[row['predicted']]} {row['probability']:.2f}"}

    def on_scored(self, rows: list[dict], stage: str) -> None:
        """With a W&B logger, the validation confusion matrix as an image."""
        wandb = [lg for lg in self.loggers if isinstance(lg, WandbLogger)]
        if stage != "val" or not wandb or self.trainer.sanity_checking or not self.trainer.is_global_zero:
            return
        from tasks.sentiment.confusion import confusion_image  # matplotlib: only when there is a W&B logger

        image = confusion_image(self.confusion(rows), self.meta.labels)
        for logger in wandb:
            logger.log_image("val/confusion_matrix", [image], step=self.trainer.global_step)
