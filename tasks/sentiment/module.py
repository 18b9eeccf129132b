"""Sentiment LightningModule: embeddings -> (Bi)LSTM over packed reviews -> masked pooling -> classifier."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from pytorch_lightning.loggers import WandbLogger
from torchmetrics.functional.classification import multiclass_confusion_matrix

from suite.data.vocab import Vocab
from suite.module import SuiteModule
from suite.nn.sequence_heads import PooledClassifier
from suite.nn.gradient_probe import stepwise_states
from suite.nn.text_encoder import RecurrentTextEncoder


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

    def __init__(self, model: dict, meta: dict):
        super().__init__(model, meta)
        self.words = Vocab.from_dict(meta["vocab"]["words"])
        self.labels: list[str] = list(meta["vocab"]["labels"])
        self.encoder = RecurrentTextEncoder(
            len(self.words), cell=model["cell"], embed_size=model["embed_size"], hidden_size=model["hidden_size"],
            num_layers=model["num_layers"], bidirectional=model["bidirectional"], dropout=model["dropout"],
            pad_id=self.words.pad)
        self.head = PooledClassifier(self.encoder.out_dim, len(self.labels), pooling=model["pooling"],
                                     hidden=model["classifier_hidden"], dropout=model["dropout"],
                                     bidirectional=model["bidirectional"])
        self._confusion: dict[str, torch.Tensor] = {}

    # --- model ---------------------------------------------------------------------------------
    def states(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.encoder(tokens, lengths)[0]  # (B, T, D), zero at padding

    def forward(self, tokens: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """tokens (B, T), lengths (B,) -> label logits (B, C)."""
        return self.head(self.states(tokens, lengths), lengths)

    def loss(self, batch: dict) -> torch.Tensor:
        return F.cross_entropy(self(batch["tokens"], batch["lengths"]).float(), batch["labels"])

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
        self.count_skipped(batch)
        loss = self.loss(batch)
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        return loss

    # --- evaluation ----------------------------------------------------------------------------
    def _eval_step(self, batch: dict, stage: str) -> None:
        logits = self(batch["tokens"], batch["lengths"]).float()  # (B, C)
        self.log(f"{stage}/loss", F.cross_entropy(logits, batch["labels"]), batch_size=batch["size"],
                 sync_dist=True)
        pred = logits.argmax(-1)  # (B,)
        cm = multiclass_confusion_matrix(pred, batch["labels"], num_classes=len(self.labels))  # (C, C)
        self._confusion[stage] = self._confusion.get(stage, 0) + cm
        if stage == "val" and self.keep_examples and len(self.examples) < 16:
            probs = logits.softmax(-1)
            for text, y, p in zip(batch["texts"], batch["labels"].tolist(), probs):
                if len(self.examples) < 16:
                    k = int(p.argmax())
                    self.examples.append({"review": text[:500], "label": self.labels[y],
                                          "predicted": f"{self.labels[k]} {float(p[k]):.2f}"})

    def _eval_epoch_end(self, stage: str) -> None:
        cm = self._confusion.pop(stage, None)
        if cm is None:
            return
        if self.trainer.world_size > 1 and torch.distributed.is_initialized():
            torch.distributed.all_reduce(cm)  # the bucketing sampler gives each rank its own batches
        for name, value in scores(cm).items():
            self.log(f"{stage}/{name}", value)
        if stage == "val" and self.keep_examples and not self.trainer.sanity_checking:
            self._log_confusion(cm)

    def _log_confusion(self, cm: torch.Tensor) -> None:
        from tasks.sentiment.confusion import confusion_image

        for logger in self.loggers:
            if isinstance(logger, WandbLogger):
                logger.log_image("val/confusion_matrix", [confusion_image(cm, self.labels)],
                                 step=self.trainer.global_step)

    def on_validation_epoch_start(self) -> None:
        self.examples = []
        self._confusion.pop("val", None)

    def validation_step(self, batch, batch_idx):
        self._eval_step(batch, "val")

    def on_validation_epoch_end(self):
        super().on_validation_epoch_end()
        self._eval_epoch_end("val")

    def on_test_epoch_start(self) -> None:
        self._confusion.pop("test", None)

    def test_step(self, batch, batch_idx):
        self._eval_step(batch, "test")

    def on_test_epoch_end(self):
        self._eval_epoch_end("test")


Module = SentimentModule  # the name suite.registry looks up
