"""Metrics: thin wrappers over sacrebleu, plus CIDEr-D, which no installed library provides.

Scales (the README states them for users): BLEU, chrF and CIDEr-D on 0-100 as papers print them
(where coco-caption prints BLEU-4 0.30 and CIDEr-D 0.95, papers write 30.0 and 95.0).
Captioning inputs are pre-tokenised, lowercased, space-separated strings; nothing here
re-tokenises them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from sacrebleu.metrics import BLEU, CHRF

CIDER_N = 4  # n-gram orders 1..4, uniform weights (Vedantam et al., 2015)


def _check_pairs(hypotheses: Sequence[str], references: Sequence[Sequence[str]]) -> None:
    if len(hypotheses) != len(references):
        raise ValueError(
            f"got {len(hypotheses)} hypotheses but {len(references)} reference sets; "
            "pass one list of references per hypothesis"
        )
    for i, refs in enumerate(references):
        if isinstance(refs, str) or len(refs) == 0:
            raise ValueError(
                f"reference set {i} must be a non-empty list of strings, got {refs!r}"
            )


def _ref_streams(references: Sequence[Sequence[str]]) -> list[list[str | None]]:
    """Per-hypothesis reference lists -> sacrebleu's reference streams, None-padded.

    sacrebleu drops None entries per segment, so hypotheses may have different numbers
    of references.
    """
    n_streams = max(len(refs) for refs in references)
    return [
        [refs[k] if k < len(refs) else None for refs in references] for k in range(n_streams)
    ]


def _bleu_stats(hypotheses, references, max_order: int):
    _check_pairs(hypotheses, references)
    # sacrebleu (not torchmetrics): its brevity penalty takes the closest reference length,
    # shorter on ties, exactly as coco-caption does; torchmetrics takes the first closest.
    # No smoothing (sacrebleu defaults to "exp"): a zero n-gram precision gives 0, as in coco.
    metric = BLEU(
        tokenize="none", smooth_method="none", max_ngram_order=max_order, effective_order=False
    )
    return metric.corpus_score(list(hypotheses), _ref_streams(references))


def corpus_bleu(hypotheses: list[str], references: list[list[str]], max_order: int = 4) -> float:
    """Corpus BLEU-n on 0-100, every hypothesis scored against ALL its references (the number of
    references may differ per hypothesis). Inputs are already tokenised, lowercased, space-separated
    strings (captioning); no further tokenisation."""
    _check_pairs(hypotheses, references)
    if len(hypotheses) == 0:
        return 0.0
    return float(_bleu_stats(hypotheses, references, max_order).score)


def bleu_1_to_4(hypotheses: list[str], references: list[list[str]]) -> dict[str, float]:
    """{"bleu1", "bleu2", "bleu3", "bleu4"} on 0-100 from one pass of n-gram counting."""
    _check_pairs(hypotheses, references)
    if len(hypotheses) == 0:
        return {f"bleu{n}": 0.0 for n in range(1, 5)}
    s = _bleu_stats(hypotheses, references, 4)
    # BLEU-n only needs the first n match counts; the brevity penalty is the same for every n.
    return {
        f"bleu{n}": float(
            BLEU.compute_bleu(
                list(s.counts[:n]), list(s.totals[:n]), s.sys_len, s.ref_len,
                smooth_method="none", max_ngram_order=n,
            ).score
        )
        for n in range(1, 5)
    }


def corpus_chrf(hypotheses: list[str], references: list[list[str]]) -> float:
    """Corpus chrF (sacrebleu defaults: chrF2, character 6-grams) on 0-100."""
    _check_pairs(hypotheses, references)
    if len(hypotheses) == 0:
        return 0.0
    return float(CHRF().corpus_score(list(hypotheses), _ref_streams(references)).score)


def _ngram_table(sentences: list[list[int]], n_max: int):
    """Distinct n-grams (orders 1..n_max) of every sentence, as flat arrays.

    Returns (sent, gram, order, count, n_grams): one row per distinct (sentence, n-gram);
    `gram` ids are shared by all sentences, `order` is n-1, `count` the term frequency.
    """
    lengths = np.array([len(s) for s in sentences], dtype=np.int64)  # (S,)
    tok = np.fromiter((t for s in sentences for t in s), dtype=np.int64, count=int(lengths.sum()))
    sent_of_tok = np.repeat(np.arange(len(sentences), dtype=np.int64), lengths)  # (T,)
    room = np.repeat(np.cumsum(lengths), lengths) - np.arange(len(tok))  # (T,) tokens from here on
    vocab = int(tok.max()) + 1 if len(tok) else 1

    rows_sent, rows_gram, rows_order = [], [], []
    prev = np.zeros(len(tok), dtype=np.int64)  # (T,) id of the (n-1)-gram starting at each token
    offset = 0  # n-grams of order n get ids in [offset, offset + distinct)
    for n in range(1, n_max + 1):
        starts = np.nonzero(room >= n)[0]  # (M_n,) tokens that start an n-gram
        # An n-gram = its (n-1)-gram prefix + one token; key < T * V, which fits int64.
        key = prev[starts] * vocab + tok[starts + n - 1]  # (M_n,)
        uniq, local = np.unique(key, return_inverse=True)
        prev[starts] = local
        rows_sent.append(sent_of_tok[starts])
        rows_gram.append(local + offset)
        rows_order.append(np.full(len(starts), n - 1, dtype=np.int64))
        offset += len(uniq)

    n_grams = max(offset, 1)
    gram = np.concatenate(rows_gram)  # (sum M_n,)
    order_of_gram = np.zeros(n_grams, dtype=np.int64)
    order_of_gram[gram] = np.concatenate(rows_order)
    # Collapse repeated occurrences within a sentence into term frequencies.
    key, count = np.unique(np.concatenate(rows_sent) * n_grams + gram, return_counts=True)
    sent_u, gram_u = key // n_grams, key % n_grams
    return sent_u, gram_u, order_of_gram[gram_u], count.astype(np.float64), n_grams


def cider_d_per_image(
    hypotheses: list[str], references: list[list[str]], sigma: float = 6.0
) -> np.ndarray:
    """Per-image CIDEr-D exactly as coco-caption's scorer prints it (0-10: mean cosine x 10).

    Document frequencies come from the reference sets of this corpus (each image counts once
    per n-gram), idf = log(#images) - log(max(1, df)). Per order n: cosine of tf-idf vectors
    with hypothesis weights clipped by the reference's, times exp(-(len_h - len_r)^2 / 2 sigma^2);
    averaged over references, then over n, times 10.
    """
    _check_pairs(hypotheses, references)
    n_img = len(hypotheses)
    if n_img == 0:
        return np.zeros(0)
    vocab: dict[str, int] = {}
    sentences = [[vocab.setdefault(w, len(vocab)) for w in s.split()] for s in hypotheses]
    sentences += [
        [vocab.setdefault(w, len(vocab)) for w in r.split()] for rs in references for r in rs
    ]
    n_refs = np.array([len(rs) for rs in references], dtype=np.int64)  # (I,)
    # Sentence k < I is the hypothesis of image k; then all references, image by image.
    img_of = np.concatenate([np.arange(n_img), np.repeat(np.arange(n_img), n_refs)])  # (S,)
    length = np.array([len(s) for s in sentences], dtype=np.float64)  # (S,)
    n_sent = len(sentences)

    sent, gram, order, tf, n_grams = _ngram_table(sentences, CIDER_N)  # rows sorted by (sent, gram)
    is_ref = sent >= n_img
    img_gram = np.sort(img_of[sent[is_ref]] * n_grams + gram[is_ref])  # (R_rows,)
    # Distinct (image, n-gram) pairs; sort + diff, as numpy's hash-based unique is slower here.
    img_gram = img_gram[np.r_[True, img_gram[1:] != img_gram[:-1]]] if len(img_gram) else img_gram
    df = np.bincount(img_gram % n_grams, minlength=n_grams)  # (G,)
    idf = math.log(n_img) - np.log(np.maximum(df, 1))  # (G,) hypothesis-only n-grams: log(#images)
    weight = tf * idf[gram]  # (rows,) tf-idf vector entries
    flat = sent * CIDER_N + order  # (rows,) index into a (S, N) table
    norm = np.sqrt(np.bincount(flat, weights=weight**2, minlength=n_sent * CIDER_N))
    norm = norm.reshape(n_sent, CIDER_N)  # (S, N)

    # Pair each reference entry with the same n-gram in its image's hypothesis (if any).
    # Hypothesis rows come first and are sorted by image * G + gram, so searchsorted works.
    hyp_key = sent[~is_ref] * n_grams + gram[~is_ref]  # (H_rows,)
    ref_key = img_of[sent[is_ref]] * n_grams + gram[is_ref]  # (R_rows,)
    at = np.minimum(np.searchsorted(hyp_key, ref_key), max(len(hyp_key) - 1, 0))
    hit = hyp_key[at] == ref_key if len(hyp_key) else np.zeros(len(ref_key), dtype=bool)
    w_hyp, w_ref = weight[~is_ref][at[hit]], weight[is_ref][hit]
    dot = np.bincount(
        flat[is_ref][hit], weights=np.minimum(w_hyp, w_ref) * w_ref, minlength=n_sent * CIDER_N
    ).astype(np.float64).reshape(n_sent, CIDER_N)[n_img:]  # (R, N) clipped dot per reference

    img_r = img_of[n_img:]  # (R,)
    denom = norm[img_r] * norm[n_img:]  # (R, N)
    cos = np.divide(dot, denom, out=np.zeros_like(dot), where=denom > 0)  # (R, N)
    # Token-length difference; coco-caption counts bigrams (length - 1), which gives the same
    # difference whenever both sentences are non-empty (the only case with a non-zero cosine).
    penalty = np.exp(-((length[img_r] - length[n_img:]) ** 2) / (2.0 * sigma**2))  # (R,)
    per_ref = cos.mean(axis=1) * penalty  # (R,) uniform weights over n
    return 10.0 * np.bincount(img_r, weights=per_ref, minlength=n_img) / n_refs  # (I,)


# coco-caption prints a corpus CIDEr-D near 1.0 for a good model; papers (and this suite) use x100
# ("CIDEr 100.4"), the same convention that turns coco-caption's BLEU-4 0.30 into 30.0.
CIDER_PAPER_SCALE = 100.0


def cider_d(hypotheses: list[str], references: list[list[str]], sigma: float = 6.0) -> float:
    """Corpus CIDEr-D on the papers' scale: 100 x coco-caption's corpus value (mean over images).

    A good COCO model scores ~100; a perfect match can exceed 100 (up to 1000, when each image
    has a single reference), because coco-caption's per-image score itself runs 0-10.
    """
    _check_pairs(hypotheses, references)
    if len(hypotheses) == 0:
        return 0.0
    return CIDER_PAPER_SCALE * float(cider_d_per_image(hypotheses, references, sigma).mean())


def caption_metrics(hypotheses: list[str], references: list[list[str]]) -> dict[str, float]:
    """bleu1..bleu4 and cider, all on 0-100 (see module docstring)."""
    return {**bleu_1_to_4(hypotheses, references), "cider": cider_d(hypotheses, references)}


def translation_metrics(hypotheses: list[str], references: list[str]) -> dict[str, float]:
    """Detokenised sacreBLEU (its default 13a tokenisation, as papers report) and chrF, on 0-100."""
    if not hypotheses:
        return {"bleu": 0.0, "chrf": 0.0}
    return {"bleu": float(BLEU().corpus_score(hypotheses, [references]).score),
            "chrf": float(CHRF().corpus_score(hypotheses, [references]).score)}
