"""NER LightningModule: word embeddings + a character BiLSTM per word -> BiLSTM tagger -> softmax or CRF;
entity-level precision / recall / F1 with seqeval (exact type and span, as conlleval)."""
from __future__ import annotations

import torch
import torch.nn.functional as F
from seqeval.metrics import f1_score, precision_score, recall_score
from torch import nn

from suite.module import SuiteModule
from suite.nn.crf import CRF
from suite.nn.gradient_probe import stepwise_states
from suite.nn.sequence_heads import PackedRNN, length_mask
from suite.nn.text_encoder import RecurrentTextEncoder
from tasks.ner.batch import IGNORE
from tasks.ner.meta import NerMeta
from tasks.ner.predict import bracketed


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
    meta_type = NerMeta

    def __init__(self, model: dict, meta: NerMeta | dict):
        super().__init__(model, meta)
        self.enc = self.meta.encoder
        words, chars, n_tags = self.enc.words, self.enc.chars, len(self.enc.tags)
        self.word_embed = nn.Embedding(len(words), model["word_embed_size"], padding_idx=words.pad)
        # model.chars=null: words only (a baseline for what the characters add)
        self.char_encoder = RecurrentTextEncoder(len(chars), **model["chars"], pad_id=chars.pad) if model["chars"] else None
        char_dim = self.char_encoder.out_dim if self.char_encoder is not None else 0
        self.dropout = nn.Dropout(model["encoder"]["dropout"])
        self.rnn = PackedRNN(model["word_embed_size"] + char_dim, **model["encoder"])
        self.emit = nn.Linear(self.rnn.out_dim, n_tags)
        self.crf = CRF(n_tags) if model["crf"] else None
        self.word_dropout = float(model["word_dropout"])

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
    def decode(self, emissions: torch.Tensor, lengths: torch.Tensor) -> list[list[str]]:
        """Emissions (B, T, K) -> IOB2 tags of each sentence (its real length): Viterbi with the CRF,
        else per-token argmax."""
        if self.crf is not None:
            paths = self.crf.decode(emissions, length_mask(lengths.to(emissions.device), emissions.size(1)))
        else:
            paths = [row[:n] for row, n in zip(emissions.argmax(-1).tolist(), lengths.tolist())]
        return [[self.enc.tags[k] for k in p] for p in paths]

    @torch.no_grad()
    def tag(self, batch: dict) -> list[list[str]]:
        """IOB2 tags of each sentence of a batch."""
        return self.decode(self.emissions(self.states(batch)), batch["lengths"])

    # --- training ------------------------------------------------------------------------------
    def training_step(self, batch: dict, batch_idx: int):
        loss = self.loss_from(self.emissions(self.states(batch)), batch)
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        return loss

    # --- evaluation ----------------------------------------------------------------------------
    def eval_batch(self, batch: dict, stage: str) -> tuple[torch.Tensor, list[dict]]:
        emissions = self.emissions(self.states(batch))  # (B, T, K): computed once for the loss and the tags
        pred = self.decode(emissions, batch["lengths"])
        gold = [[self.enc.tags[k] for k in row[:n]] for row, n in zip(batch["tags"].tolist(), batch["lengths"].tolist())]
        rows = [{"id": i, "gold": g, "predicted": p} for i, g, p in zip(batch["ids"], gold, pred)]
        if self.collecting_examples(stage):
            for row, tokens in zip(rows, batch["tokens"]):
                row["tokens"] = tokens  # only the shown rows carry their words
        return self.loss_from(emissions, batch), rows

    def score(self, rows: list[dict], stage: str) -> dict[str, float]:
        """Entity precision, recall, F1, and f1_lookup: the lookup baseline's F1 on the same split."""
        out = entity_scores([r["gold"] for r in rows], [r["predicted"] for r in rows])
        datamodule = getattr(self.trainer, "datamodule", None) if self._trainer is not None else None
        lookup = getattr(datamodule, "lookup_f1", {}) if datamodule is not None else {}
        if stage in lookup:
            out["f1_lookup"] = lookup[stage]
        return out

    def example(self, row: dict) -> dict | None:
        if "tokens" not in row:
            return None
        return {"gold": bracketed(row["tokens"], row["gold"]), "predicted": bracketed(row["tokens"], row["predicted"])}
