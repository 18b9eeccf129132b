"""NER LightningModule: word embeddings + a character BiLSTM per word -> BiLSTM tagger -> softmax or CRF;
entity-level precision / recall / F1 with seqeval (exact type and span, as conlleval)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from seqeval.metrics import f1_score, precision_score, recall_score
from torch import nn

from suite.module import SuiteModule
from suite.nn.crf import CRF
from suite.nn.sequence_heads import PackedRNN, length_mask
from suite.nn.gradient_probe import stepwise_states
from suite.nn.text_encoder import RecurrentTextEncoder
from tasks.ner.datamodule import IGNORE, Encoder


def entity_scores(gold: list[list[str]], pred: list[list[str]]) -> dict[str, float]:
    """Micro-averaged entity precision, recall and F1 over IOB2 tag sequences (seqeval's default,
    conlleval-compatible mode)."""
    if not gold:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    kw = dict(zero_division=0)
    return {"precision": float(precision_score(gold, pred, **kw)), "recall": float(recall_score(gold, pred, **kw)),
            "f1": float(f1_score(gold, pred, **kw))}


class NerModule(SuiteModule):
    task_name = "ner"
    item_kind = "sentences"

    def __init__(self, model: dict, meta: dict):
        super().__init__(model, meta)
        self.enc = Encoder.from_dict(meta["vocab"])
        words, chars, n_tags = self.enc.words, self.enc.chars, len(self.enc.tags)
        self.word_embed = nn.Embedding(len(words), model["word_embed_size"], padding_idx=words.pad)
        self.char_encoder = RecurrentTextEncoder(
            len(chars), cell=model["cell"], embed_size=model["char_embed_size"], hidden_size=model["char_hidden_size"],
            num_layers=1, bidirectional=True, dropout=0.0, pad_id=chars.pad) if model["char_hidden_size"] else None
        char_dim = self.char_encoder.out_dim if self.char_encoder is not None else 0
        self.dropout = nn.Dropout(model["dropout"])
        self.rnn = PackedRNN(model["word_embed_size"] + char_dim, cell=model["cell"], hidden_size=model["hidden_size"],
                             num_layers=model["num_layers"], bidirectional=model["bidirectional"],
                             dropout=model["dropout"])
        self.emit = nn.Linear(self.rnn.out_dim, n_tags)
        self.crf = CRF(n_tags) if model["crf"] else None
        self.word_dropout = float(model["word_dropout"])
        self._outputs: list = []

    # --- model ---------------------------------------------------------------------------------
    def features(self, batch: dict) -> torch.Tensor:
        """Per-token input of the tagger RNN (B, T, E + C): word embedding and character encoding."""
        words = batch["words"]
        if self.training and self.word_dropout > 0:  # some known words look unknown: the char encoder learns them
            drop = torch.rand(words.shape, device=words.device) < self.word_dropout
            words = words.masked_fill(drop & (words != self.enc.words.pad), self.enc.words.unk)
        x = self.word_embed(words)  # (B, T, E)
        if self.char_encoder is not None:
            real = batch["char_lengths"] > 0  # (B, T)
            _, per_word = self.char_encoder(batch["chars"][real], batch["char_lengths"][real])  # (W, C)
            chars = x.new_zeros(*words.shape, per_word.size(-1))  # (B, T, C)
            chars[real] = per_word.to(x.dtype)
            x = torch.cat([x, chars], dim=-1)  # (B, T, E + C)
        return self.dropout(x)

    def states(self, batch: dict) -> torch.Tensor:
        """The tagger BiLSTM's outputs (B, T, D), zero at padded steps."""
        return self.rnn(self.features(batch), batch["lengths"])  # (B, T, D)

    def emissions(self, states: torch.Tensor) -> torch.Tensor:
        return self.emit(self.dropout(states)).float()  # (B, T, K)

    def loss_from(self, emissions: torch.Tensor, batch: dict) -> torch.Tensor:
        mask = length_mask(batch["lengths"].to(emissions.device), emissions.size(1))  # (B, T)
        if self.crf is not None:
            return -self.crf.log_likelihood(emissions, batch["tags"], mask).mean()
        return F.cross_entropy(emissions.flatten(0, 1), batch["tags"].flatten(), ignore_index=IGNORE)

    def sequence_outputs(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """(loss, states) for callbacks=gradient_flow: the loss and the tagger RNN's top-layer states (B, T, D)
        on the recurrent path, so d loss / d states[:, t] includes every path through later (forward half)
        and earlier (backward half) steps. Runs the layer step by step: one diagnostic batch, not training."""
        outputs, states = stepwise_states(self.rnn.rnn, self.features(batch), batch["lengths"])
        return self.loss_from(self.emissions(outputs), batch), states

    @torch.no_grad()
    def tag(self, batch: dict) -> list[list[str]]:
        """IOB2 tags of each sentence (its real length): Viterbi with the CRF, else per-token argmax."""
        emissions = self.emissions(self.states(batch))  # (B, T, K)
        lengths = batch["lengths"].tolist()
        if self.crf is not None:
            mask = length_mask(batch["lengths"].to(emissions.device), emissions.size(1))
            paths = self.crf.decode(emissions, mask)
        else:
            paths = [row[:n] for row, n in zip(emissions.argmax(-1).tolist(), lengths)]
        return [[self.enc.tags[k] for k in p] for p in paths]

    # --- training ------------------------------------------------------------------------------
    def training_step(self, batch: dict, batch_idx: int):
        self.count_skipped(batch)
        loss = self.loss_from(self.emissions(self.states(batch)), batch)
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        return loss

    # --- evaluation ----------------------------------------------------------------------------
    def _eval_step(self, batch: dict, stage: str) -> None:
        states = self.states(batch)
        self.log(f"{stage}/loss", self.loss_from(self.emissions(states), batch), batch_size=batch["size"],
                 sync_dist=True)
        pred = self.tag(batch)
        rows, lengths = batch["tags"].tolist(), batch["lengths"].tolist()
        gold = [[self.enc.tags[k] for k in row[:n]] for row, n in zip(rows, lengths)]
        self._outputs.extend(zip(batch["ids"], gold, pred))
        if stage == "val" and self.keep_examples and len(self.examples) < 16:
            from tasks.ner.predict import bracketed

            for toks, g, p in zip(batch["tokens"], gold, pred):
                if len(self.examples) < 16:
                    self.examples.append({"gold": bracketed(toks, g), "predicted": bracketed(toks, p)})

    def _eval_epoch_end(self, stage: str) -> None:
        outputs = self.gather_lists(self._outputs)
        self._outputs = []
        unique = {tuple(i): (g, p) for i, g, p in outputs}  # DDP samplers pad with repeats
        if unique:
            gold, pred = zip(*unique.values())
            for name, value in entity_scores(list(gold), list(pred)).items():
                self.log(f"{stage}/{name}", value)

    def on_validation_epoch_start(self) -> None:
        self.examples = []
        self._outputs = []

    def validation_step(self, batch, batch_idx):
        self._eval_step(batch, "val")

    def on_validation_epoch_end(self):
        super().on_validation_epoch_end()
        self._eval_epoch_end("val")

    def test_step(self, batch, batch_idx):
        self._eval_step(batch, "test")

    def on_test_epoch_end(self):
        self._eval_epoch_end("test")


Module = NerModule  # the name suite.registry looks up
