"""Dialogue LightningModule: a context encoder (flat BiLSTM or hierarchical HRED) -> attention LSTM
decoder writes the reply; perplexity, sacreBLEU, Distinct-1/2 and (synthetic data) slot accuracy.

`seq2seq_chat`: the context turns joined with speaker tokens -> BiLSTM -> Luong decoder.
`hred` (Serban et al. 2016): an utterance encoder per turn, then a context RNN over the turn
vectors; the decoder starts from the context state and attends over every word annotation,
each joined with the context state of its turn.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from sacrebleu.metrics import BLEU

from suite.errors import UserError
from suite.module import SuiteModule
from suite.nn.cells import RNNS, check_cell
from suite.nn.luong_decoder import LuongDecoder
from suite.nn.padded_rnn import run_rnn
from suite.nn.search import Hypotheses, beam_search, greedy_search, sample_search
from suite.nn.text_encoder import RecurrentTextEncoder
from tasks.dialogue.meta import DialogueMeta

STRATEGIES = ("greedy", "beam", "sample")


def slot_hits(reply_tokens: set[str], slots: dict, lexicon: dict) -> list[bool]:
    """Per reference slot: the reply names that value and no other value of the same slot type."""
    return [{v for v in lexicon.get(k, [v]) if v in reply_tokens} == {v} for k, v in slots.items()]


def distinct(replies: list[list[str]], n: int) -> float:
    """Distinct-n (Li et al. 2016): distinct n-grams / all n-grams over the generated replies."""
    grams = [tuple(r[i:i + n]) for r in replies for i in range(len(r) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


class DialogueModule(SuiteModule):
    task_name = "dialogue"
    item_kind = "dialogue turns"
    meta_type = DialogueMeta

    def __init__(self, model: dict, meta: DialogueMeta | dict):
        super().__init__(model, meta)
        vocab = self.meta.side.vocab
        self.hierarchical = model["context_encoder"] == "hierarchical"
        if model["context_encoder"] not in ("flat", "hierarchical"):
            raise UserError(f"model.context_encoder={model['context_encoder']}: use flat (seq2seq_chat) or hierarchical (hred)")
        self.encoder = RecurrentTextEncoder(len(vocab), **model["encoder"], pad_id=vocab.pad)
        memory_dim = self.encoder.out_dim
        if self.hierarchical:
            ctx = model["context"]
            self.context_rnn = RNNS[check_cell(ctx["cell"])](self.encoder.out_dim, ctx["hidden_size"], batch_first=True)
            memory_dim += ctx["hidden_size"]
        self.decoder = LuongDecoder(len(vocab), memory_dim, **model["decoder"], pad_id=vocab.pad)
        self.label_smoothing = float(model["label_smoothing"])
        self.decode_cfg = dict(model["decode"])

    # --- encoding ------------------------------------------------------------------------------
    def start(self, batch: dict):
        """Encode the contexts once: the decoder's (state, cache) for teacher forcing and search."""
        if not self.hierarchical:
            src, lengths = batch["src"], batch["src_lengths"]
            memory, summary = self.encoder(src, lengths)  # (B, S, D), (B, D)
            mask = torch.arange(src.size(1), device=src.device).unsqueeze(0) < lengths.to(src.device).unsqueeze(1)
            return self.decoder.start(memory, mask, summary)  # mask (B, S)
        turns, turn_len = batch["turns"], batch["turn_lengths"]  # (B, U, W), (B, U)
        b, u, w = turns.shape
        real = turn_len.flatten() > 0  # (B*U,) turns that exist
        words, utt = self.encoder(turns.flatten(0, 1)[real], turn_len.flatten()[real])  # (M, W, D), (M, D)
        d = words.size(2)
        word_all = words.new_zeros(b * u, w, d)
        word_all[real] = words
        utt_all = utt.new_zeros(b * u, d)
        utt_all[real] = utt
        n_turns = (turn_len > 0).sum(1)  # (B,)
        ctx = run_rnn(self.context_rnn, utt_all.view(b, u, d), n_turns)  # (B, U, H), zero past each last turn
        memory = torch.cat([word_all.view(b, u, w, d), ctx.unsqueeze(2).expand(-1, -1, w, -1)], 3)  # (B, U, W, D+H)
        mask = torch.arange(w, device=turns.device).view(1, 1, w) < turn_len.unsqueeze(2)  # (B, U, W)
        last = n_turns - 1
        rows = torch.arange(b, device=turns.device)
        summary = torch.cat([utt_all.view(b, u, d)[rows, last], ctx[rows, last]], 1)  # (B, D+H)
        return self.decoder.start(memory.flatten(1, 2), mask.flatten(1), summary)  # memory (B, U*W, D+H)

    # --- decoding ------------------------------------------------------------------------------
    def generate(self, start, options: dict | None = None, generator: torch.Generator | None = None) -> Hypotheses:
        """Replies from encoded contexts; `options` override model.decode (strategy, beam_size, n_best,
        temperature, top_k, top_p, min_len, no_repeat_ngram_size, max_len, length_penalty)."""
        o = {**self.decode_cfg, **{k: v for k, v in (options or {}).items() if v is not None}}
        if o["strategy"] not in STRATEGIES:
            raise UserError(f"strategy={o['strategy']}: use one of {', '.join(STRATEGIES)}")
        state, cache = start
        kw = dict(bos=self.meta.side.vocab.bos, eos=self.meta.side.vocab.eos, max_len=int(o["max_len"]),
                  min_len=int(o["min_len"]), no_repeat_ngram_size=int(o["no_repeat_ngram_size"]))
        if o["strategy"] == "sample":
            return sample_search(self.decoder, state, cache, temperature=float(o["temperature"]), top_k=int(o["top_k"]),
                                 top_p=float(o["top_p"]), generator=generator, **kw)
        if o["strategy"] == "beam" and (int(o["beam_size"]) > 1 or int(o["n_best"]) > 1):
            return beam_search(self.decoder, state, cache, beam_size=max(int(o["beam_size"]), int(o["n_best"])),
                               length_alpha=float(o["length_penalty"]), n_best=int(o["n_best"]), **kw)
        return greedy_search(self.decoder, state, cache, **kw)

    def texts(self, hyps: Hypotheses) -> list[str]:
        return [self.meta.side.decode(row) for row in hyps.tokens.tolist()]

    # --- training ------------------------------------------------------------------------------
    def _logits(self, batch: dict, start) -> torch.Tensor:
        state, cache = start
        return self.decoder(batch["tgt_in"], state, cache)[0].float()  # (B, T, V)

    def training_step(self, batch: dict, batch_idx: int):
        logits = self._logits(batch, self.start(batch))
        loss = F.cross_entropy(logits.flatten(0, 1), batch["tgt_out"].flatten(), ignore_index=self.meta.side.vocab.pad,
                               label_smoothing=self.label_smoothing)
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        return loss

    # --- evaluation ----------------------------------------------------------------------------
    def eval_batch(self, batch: dict, stage: str) -> tuple[torch.Tensor, list[dict]]:
        start = self.start(batch)  # encoded once for the loss, the perplexity and the search
        logits = self._logits(batch, start)
        pad = self.meta.side.vocab.pad
        loss = F.cross_entropy(logits.flatten(0, 1), batch["tgt_out"].flatten(), ignore_index=pad,
                               label_smoothing=self.label_smoothing)
        nll = F.cross_entropy(logits.transpose(1, 2), batch["tgt_out"], ignore_index=pad, reduction="none").sum(1)  # (B,)
        ntok = (batch["tgt_out"] != pad).sum(1)  # (B,)
        replies = self.texts(self.generate(start))
        rows = [{"id": i, "context": c, "reference": r, "reply": h, "nll": float(n), "ntok": int(t), "slots": s, "act": a}
                for i, c, r, h, n, t, s, a in zip(batch["ids"], batch["contexts"], batch["refs"], replies, nll.tolist(),
                                                  ntok.tolist(), batch["slots"], batch["acts"])]
        if self.collecting_examples(stage):  # the W&B table shows a sampled reply beside the greedy one
            generator = torch.Generator().manual_seed(0)
            sampled = self.texts(self.generate(start, {"strategy": "sample"}, generator))
            for row, text in zip(rows, sampled):
                row["sampled"] = text
        return loss, rows

    def score(self, rows: list[dict], stage: str) -> dict[str, float]:
        replies = [r["reply"] for r in rows]
        tokenize = self.meta.side.tokenizer.tokenize
        tokens = [[t.lower() for t in tokenize(h)] for h in replies]
        out = {"ppl": math.exp(min(sum(r["nll"] for r in rows) / max(sum(r["ntok"] for r in rows), 1), 50.0)),
               "bleu": float(BLEU().corpus_score(replies, [[r["reference"] for r in rows]]).score),
               "distinct1": distinct(tokens, 1), "distinct2": distinct(tokens, 2)}
        with_slots = [(set(t), r) for t, r in zip(tokens, rows) if r.get("slots")]
        if with_slots:
            hits = [h for t, r in with_slots for h in slot_hits(t, r["slots"], self.meta.slots)]
            clarify = [h for t, r in with_slots if r.get("act") == "clarify" for h in slot_hits(t, r["slots"], self.meta.slots)]
            out["slot_acc"] = sum(hits) / len(hits)
            if clarify:
                out["slot_acc_clarify"] = sum(clarify) / len(clarify)
        return out

    def example(self, row: dict) -> dict:
        return {k: row[k] for k in ("context", "reference", "reply", "sampled") if k in row}
