"""Summarization LightningModule: BiLSTM encoder -> pointer-generator decoder (copy + coverage) or
the plain attention seq2seq; ROUGE (rouge-score) against the task's own Lead baseline."""
from __future__ import annotations

import functools

import torch
from rouge_score import rouge_scorer

from suite.module import SuiteModule
from suite.nn.search import Hypotheses, beam_search, greedy_search
from suite.nn.text_encoder import RecurrentTextEncoder
from tasks.summarization import TOKENIZER, SummarizationMeta, sentences
from tasks.summarization.pointer_decoder import PointerDecoder

ROUGE_KEYS = ("rouge1", "rouge2", "rougeL", "rougeLsum")


@functools.cache
def _scorer() -> rouge_scorer.RougeScorer:
    return rouge_scorer.RougeScorer(list(ROUGE_KEYS), use_stemmer=True)  # built once: it logs each time


def rouge(hypotheses: list[str], references: list[str]) -> dict[str, float]:
    """Mean F1 (0-100) of rouge-score with the Porter stemmer; for Lsum both sides have one sentence
    a line (split here, not by rouge-score's NLTK splitter, which would need a download)."""
    scorer = _scorer()
    totals = dict.fromkeys(ROUGE_KEYS, 0.0)
    for hyp, ref in zip(hypotheses, references):
        scores = scorer.score("\n".join(sentences(ref)), "\n".join(sentences(hyp)))
        for k in ROUGE_KEYS:
            totals[k] += scores[k].fmeasure
    return {k: 100.0 * v / max(len(hypotheses), 1) for k, v in totals.items()}


def repeated_trigrams(token_lists: list[list[str]]) -> float:
    """Share (0-1) of output trigrams that repeat an earlier trigram of the same output."""
    total = repeats = 0
    for toks in token_lists:
        grams = [tuple(g) for g in zip(toks, toks[1:], toks[2:])]
        total += len(grams)
        repeats += len(grams) - len(set(grams))
    return repeats / total if total else 0.0


def novel_ngrams(outputs: list[list[str]], sources: list[list[str]], n: int = 2) -> float:
    """Share (0-1) of output n-grams that do not occur in the document (abstraction, or invention)."""
    total = novel = 0
    for out, src in zip(outputs, sources):
        seen = set(zip(*(src[i:] for i in range(n))))
        grams = list(zip(*(out[i:] for i in range(n))))
        total += len(grams)
        novel += sum(g not in seen for g in grams)
    return novel / total if total else 0.0


class SummarizationModule(SuiteModule):
    task_name = "summarization"
    item_kind = "document-summary pairs"
    meta_type = SummarizationMeta

    def __init__(self, model: dict, meta: SummarizationMeta | dict):
        super().__init__(model, meta)
        self.vocab = self.meta.vocab
        self.encoder = RecurrentTextEncoder(len(self.vocab), **model["encoder"], pad_id=self.vocab.pad)
        self.decoder = PointerDecoder(len(self.vocab), self.encoder.out_dim, **model["decoder"],
                                      pad_id=self.vocab.pad, unk_id=self.vocab.unk)
        self.coverage_cfg, self.decode_cfg = model["coverage"], model["decode"]
        self._lead: dict = {}  # stage -> (number of rows, Lead scores): Lead is computed once per split

    def _start(self, batch: dict):
        """Encode once: the decoder's start (state, cache), shared by teacher forcing and search."""
        src, lengths = batch["src"], batch["src_lengths"]
        memory, summary = self.encoder(src, lengths)  # (B, S, D), (B, D)
        mask = torch.arange(src.size(1), device=src.device).unsqueeze(0) < lengths.to(src.device).unsqueeze(1)  # (B, S)
        return self.decoder.start(memory, mask, summary, batch["src_ext"], int(batch["n_oov"]))

    # --- decoding ------------------------------------------------------------------------------
    def summarize(self, batch: dict, beam_size: int | None = None, start=None) -> Hypotheses:
        beam = beam_size or int(self.decode_cfg["beam_size"])
        state, cache = start if start is not None else self._start(batch)
        d = self.decode_cfg
        kw = dict(bos=self.vocab.bos, eos=self.vocab.eos, max_len=int(d["max_len"]), min_len=int(d["min_len"]),
                  no_repeat_ngram_size=int(d["no_repeat_ngram_size"]))
        if beam == 1:
            return greedy_search(self.decoder, state, cache, **kw)
        return beam_search(self.decoder, state, cache, beam_size=beam, length_alpha=float(d["length_penalty"]), **kw)

    def words(self, ids: list[int], oovs: list[str]) -> list[str]:
        """Extended ids up to EOS -> words: an id past the vocabulary is the document's OOV word it copies."""
        out, v = [], len(self.vocab)
        for i in ids:
            if i == self.vocab.eos:
                break
            if i >= v:
                out.append(oovs[i - v] if i - v < len(oovs) else self.vocab.itos[self.vocab.unk])
            elif i >= self.vocab.unk:  # no <pad> / <bos>
                out.append(self.vocab.itos[i])
        return out

    def replay(self, hyps: Hypotheses, start) -> tuple[torch.Tensor, torch.Tensor]:
        """The decoder re-run teacher-forced on the outputs: per output token, the attention over the
        document (B, T, S) and p_gen (B, T) (1 without copy); the search keeps neither p_gen nor both."""
        tokens_in = torch.cat([hyps.tokens.new_full((hyps.tokens.size(0), 1), self.vocab.bos), hyps.tokens[:, :-1]], 1)
        _, alphas, p_gen, _ = self.decoder(tokens_in, *start)  # (B, T, S), (B, T)
        return alphas, p_gen

    def summarize_explained(self, batch: dict, beam_size: int | None = None):
        """summarize() plus replay()'s attention (B, T, S) and p_gen (B, T) of each output token."""
        start = self._start(batch)
        hyps = self.summarize(batch, beam_size, start=start)
        return (hyps, *self.replay(hyps, start))

    def copy_probability(self, hyps: Hypotheses, start) -> torch.Tensor:
        """(B,) mean 1 - p_gen over each output's tokens, re-run teacher-forced on the output."""
        if not self.decoder.copy:
            return torch.zeros(hyps.tokens.size(0))
        _, p_gen = self.replay(hyps, start)  # (B, T)
        steps = torch.arange(p_gen.size(1), device=p_gen.device).unsqueeze(0) < hyps.lengths.unsqueeze(1)  # (B, T)
        return ((1 - p_gen) * steps).sum(1) / steps.sum(1).clamp_min(1)

    # --- training ------------------------------------------------------------------------------
    def _loss(self, batch: dict, start) -> tuple[torch.Tensor, torch.Tensor]:
        """(negative log-likelihood per summary token, coverage loss per token)."""
        logp, _, _, cov = self.decoder(batch["tgt_in"], *start)  # (B, T, V+O), ..., (B, T)
        target = batch["tgt_ext"] if self.decoder.copy else batch["tgt_out"]  # (B, T)
        real = batch["tgt_out"] != self.vocab.pad  # (B, T)
        nll = -logp.gather(2, target.unsqueeze(2)).squeeze(2)  # (B, T)
        n = real.sum().clamp_min(1)
        return (nll * real).sum() / n, (cov * real).sum() / n

    def coverage_on(self) -> bool:
        return self.decoder.coverage and self.global_step >= int(self.coverage_cfg["start_step"])

    def training_step(self, batch: dict, batch_idx: int):
        nll, cov = self._loss(batch, self._start(batch))
        loss = nll + float(self.coverage_cfg["weight"]) * cov if self.coverage_on() else nll
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        self.log_train("train/coverage_loss", cov, batch["size"])
        return loss

    # --- evaluation ----------------------------------------------------------------------------
    def eval_batch(self, batch: dict, stage: str) -> tuple[torch.Tensor, list[dict]]:
        start = self._start(batch)  # encoded once for the loss and the search
        nll, _ = self._loss(batch, start)
        hyps = self.summarize(batch, start=start)
        copy = self.copy_probability(hyps, start).tolist()
        rows = []
        for k, (i, ref, doc, oovs) in enumerate(zip(batch["ids"], batch["refs"], batch["documents"], batch["oovs"])):
            words = self.words(hyps.tokens[k].tolist(), oovs)
            rows.append({"id": i, "summary": TOKENIZER.detokenize(words), "reference": ref, "document": doc,
                         "copied": [w for w in words if w in oovs], "copy_prob": copy[k],
                         "ref_oovs": [w for w in TOKENIZER.tokenize(ref) if w in oovs]})
        return nll, rows

    def lead(self, rows: list[dict], stage: str) -> dict[str, float]:
        """ROUGE of Lead-k (the first k document words, k = mean training summary length): once per split."""
        if self._lead.get(stage, (None,))[0] != len(rows):
            k = self.meta.lead_words
            leads = [TOKENIZER.detokenize(TOKENIZER.tokenize(r["document"])[:k]) for r in rows]
            self._lead[stage] = (len(rows), rouge(leads, [r["reference"] for r in rows]))
        return {f"{name}_lead": v for name, v in self._lead[stage][1].items()}

    def score(self, rows: list[dict], stage: str) -> dict[str, float]:
        outputs = [TOKENIZER.tokenize(r["summary"]) for r in rows]
        metrics = rouge([r["summary"] for r in rows], [r["reference"] for r in rows])
        metrics.update(self.lead(rows, stage))
        metrics["repeated_trigrams"] = repeated_trigrams(outputs)
        metrics["novel_bigrams"] = novel_ngrams(outputs, [TOKENIZER.tokenize(r["document"]) for r in rows])
        metrics["copy_prob"] = sum(r["copy_prob"] for r in rows) / len(rows)
        # reference words outside the vocabulary but in the document (synthetic_news: the unseen test
        # entities and numbers) that the output reproduces: only a model that copies gets any
        wanted = sum(len(r["ref_oovs"]) for r in rows)
        found = sum(sum(w in set(r["copied"]) for w in r["ref_oovs"]) for r in rows)
        metrics["oov_recall"] = found / wanted if wanted else 0.0
        metrics["summary_words"] = sum(map(len, outputs)) / len(rows)
        return metrics

    def example(self, row: dict) -> dict:
        marked = " ".join(f"[{w}]" if w in row["copied"] else w for w in TOKENIZER.tokenize(row["summary"]))
        return {"document": row["document"], "reference": row["reference"], "summary": marked}
