"""Metrics on known values: every expected number is worked out by hand in the comments."""

import math
from collections import Counter

import numpy as np
import pytest

from suite.metrics import (
    bleu_1_to_4,
    caption_metrics,
    cider_d,
    cider_d_per_image,
    corpus_bleu,
    corpus_chrf,
)

LOG2, LOG3, LOG1_5 = math.log(2), math.log(3), math.log(1.5)


# ----------------------------------------------------------------------------------- BLEU


def _grams(tokens, n):
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _independent_bleu(hyps, refs, n_max):
    """Papineni et al. (2002) from the definition, for cross-checking the sacrebleu path.

    Modified precision clips each hypothesis n-gram count by its maximum count in any one
    reference; the brevity penalty uses the closest reference length (shorter on ties).
    """
    matched, total, hyp_len, ref_len = [0] * n_max, [0] * n_max, 0, 0
    for hyp, rs in zip(hyps, refs):
        h, rts = hyp.split(), [r.split() for r in rs]
        hyp_len += len(h)
        ref_len += min((abs(len(r) - len(h)), len(r)) for r in rts)[1]
        for n in range(1, n_max + 1):
            best = Counter()
            for r in rts:
                best |= _grams(r, n)  # element-wise max over references
            hc = _grams(h, n)
            matched[n - 1] += sum(min(c, best[g]) for g, c in hc.items())
            total[n - 1] += sum(hc.values())
    if min(matched) == 0:
        return 0.0
    bp = min(1.0, math.exp(1 - ref_len / hyp_len))
    return 100 * bp * math.exp(sum(math.log(m / t) for m, t in zip(matched, total)) / n_max)


def test_identical_hypothesis_and_reference_is_100():
    hyp = "a cat sits on the mat"
    assert corpus_bleu([hyp], [[hyp]]) == pytest.approx(100.0)
    assert bleu_1_to_4([hyp], [[hyp]]) == pytest.approx({f"bleu{n}": 100.0 for n in range(1, 5)})


def test_bleu1_bleu2_by_hand_with_brevity_penalty():
    # hyp "the cat the cat" (4 tokens) vs ref "the cat sat on a mat" (6 tokens).
    # unigrams: the x2 -> clipped to 1, cat x2 -> clipped to 1           => p1 = 2/4
    # bigrams:  "the cat" x2 -> clipped to 1, "cat the" -> 0             => p2 = 1/3
    # BP = exp(1 - r/c) = exp(1 - 6/4) = exp(-0.5)
    # BLEU-1 = 100 * exp(-0.5) * 1/2                 = 30.3265...
    # BLEU-2 = 100 * exp(-0.5) * sqrt(1/2 * 1/3)     = 24.7617...
    hyps, refs = ["the cat the cat"], [["the cat sat on a mat"]]
    assert corpus_bleu(hyps, refs, max_order=1) == pytest.approx(100 * math.exp(-0.5) * 0.5)
    assert corpus_bleu(hyps, refs, max_order=2) == pytest.approx(
        100 * math.exp(-0.5) * math.sqrt(0.5 / 3)
    )
    # No 3-gram of the hypothesis ("the cat the", "cat the cat") is in the reference => 0.
    assert corpus_bleu(hyps, refs, max_order=3) == 0.0


def test_hypothesis_matching_only_the_second_reference_is_100():
    # The second reference has the hypothesis' length (6), so it is also the closest: BP = 1.
    hyps = ["a dog runs on the grass"]
    refs = [["completely unrelated words", "a dog runs on the grass"]]
    assert corpus_bleu(hyps, refs) == pytest.approx(100.0)


def test_variable_reference_counts_across_hypotheses():
    # Each hypothesis equals one of its references, wherever it sits in the list: BLEU-4 = 100.
    hyps = ["a b c d", "e f g h", "i j k l"]
    refs = [["a b c d"], ["x y", "z", "e f g h"], ["q r s t u", "i j k l"]]
    assert corpus_bleu(hyps, refs) == pytest.approx(100.0)
    assert corpus_chrf(hyps, refs) == pytest.approx(100.0)


def test_variable_references_match_an_independent_computation():
    # Clipping and the closest length both depend on references after the first one, and the
    # 3-reference item sits between 1- and 2-reference items, so a misaligned padding shows.
    hyps = [
        "a man rides a red bike down the hill",
        "two dogs play in the snow",
        "a woman is cooking in a small kitchen",
    ]
    refs = [
        ["a man rides a bike"],
        ["dogs are playing", "two dogs play in the white snow together", "a dog in snow"],
        ["a woman cooks", "a woman is cooking in a kitchen"],
    ]
    scores = bleu_1_to_4(hyps, refs)
    for n in range(1, 5):
        expected = _independent_bleu(hyps, refs, n)
        assert expected > 0
        assert corpus_bleu(hyps, refs, max_order=n) == pytest.approx(expected)
        assert scores[f"bleu{n}"] == pytest.approx(expected)


def test_brevity_penalty_ties_take_the_shorter_reference_like_coco_caption():
    # hyp has 5 tokens; refs have 6 and 4 (both 1 away). coco-caption takes 4 -> BP = 1 and
    # every unigram is found in some reference -> BLEU-1 = 100. Taking 6 would give
    # 100 * exp(1 - 6/5) = 81.87.
    assert corpus_bleu(["a b c d e"], [["a b c d e f", "a b c d"]], max_order=1) == pytest.approx(
        100.0
    )


def test_hypothesis_shorter_than_four_tokens_has_zero_bleu4():
    # A 3-token hypothesis has no 4-gram: p4 = 0/0 on a one-sentence corpus -> BLEU-4 = 0,
    # while every 1..3-gram matches -> BLEU-3 = 100.
    scores = bleu_1_to_4(["a dog runs"], [["a dog runs"]])
    assert scores["bleu4"] == 0.0
    assert scores["bleu3"] == pytest.approx(100.0)


def test_empty_inputs():
    assert corpus_bleu([], []) == 0.0
    assert bleu_1_to_4([], []) == {f"bleu{n}": 0.0 for n in range(1, 5)}
    assert corpus_chrf([], []) == 0.0
    assert cider_d([], []) == 0.0
    # An empty hypothesis string scores 0 and does not crash.
    assert corpus_bleu([""], [["a dog runs"]]) == 0.0
    assert caption_metrics([""], [["a dog runs"]]) == {
        "bleu1": 0.0, "bleu2": 0.0, "bleu3": 0.0, "bleu4": 0.0, "cider": 0.0,
    }
    # Beside a perfect hypothesis, the empty one only adds reference length:
    # c = 4, r = 4 + 3 => BLEU-1 = 100 * exp(1 - 7/4).
    assert corpus_bleu(["a b c d", ""], [["a b c d"], ["x y z"]], max_order=1) == pytest.approx(
        100 * math.exp(1 - 7 / 4)
    )


def test_bad_shapes_are_clear_errors():
    with pytest.raises(ValueError, match="reference sets"):
        corpus_bleu(["a b"], [["a b"], ["c d"]])
    with pytest.raises(ValueError, match="non-empty"):
        cider_d(["a b"], [[]])


# ------------------------------------------------------------------------------- CIDEr-D
# coco-caption's per-image score is 10 x (mean over n of the length-penalised, clipped cosine,
# averaged over references); cider_d() reports 100 x the mean over images (papers' scale).


def test_cider_perfect_match_on_disjoint_two_image_corpus():
    # 2 images, one reference each, no shared word: every n-gram has df = 1, so
    # idf = log(2) - log(1) = log 2 for all of them. hyp == ref => identical vectors =>
    # clipped cosine = 1 for n = 1..4 (4 tokens, so each order has an n-gram); Delta len = 0 =>
    # penalty 1. Per image: 10 * (1+1+1+1)/4 / 1 ref = 10.0; corpus (papers' scale) = 1000.0.
    hyps = ["a b c d", "e f g h"]
    refs = [["a b c d"], ["e f g h"]]
    np.testing.assert_allclose(cider_d_per_image(hyps, refs), [10.0, 10.0])
    assert cider_d(hyps, refs) == pytest.approx(1000.0)


def test_cider_no_shared_ngram_is_zero():
    # Image 1 shares nothing with its reference -> all dot products 0 -> 0. Image 2 is a
    # perfect match as above -> 10. Corpus = 100 * (0 + 10)/2 = 500.
    hyps = ["x y z", "e f g h"]
    refs = [["a b c d"], ["e f g h"]]
    np.testing.assert_allclose(cider_d_per_image(hyps, refs), [0.0, 10.0])
    assert cider_d(hyps, refs) == pytest.approx(500.0)


def test_cider_tfidf_by_hand_three_images():
    # N = 3 images, log N = log 3. References: I1 "a b", I2 "a d", I3 "e f".
    # df: a = 2 (I1, I2); b, d, e, f, "a b", "a d", "e f" = 1; c, g, h (hypothesis only) = 0.
    # idf = log 3 - log(max(1, df)):  a -> log 1.5;  everything else -> log 3.
    # I1 hyp "a c" vs ref "a b":
    #   n=1: hyp (a: log1.5, c: log3), ref (a: log1.5, b: log3); clipped dot = log1.5^2,
    #        both norms sqrt(log1.5^2 + log3^2) => cos1 = log1.5^2 / (log1.5^2 + log3^2) = 0.11988
    #   n=2: "a c" vs "a b" => 0;  n=3,4: no n-grams => 0;  lengths 2 = 2 => penalty 1.
    #   score = 10 * cos1 / 4 = 0.29971
    # I2 hyp "a d" == ref: n=1, n=2 cosines 1; n=3,4 empty => 0.  score = 10 * 2/4 = 5.0
    # I3 hyp "g h": nothing shared => 0.
    hyps = ["a c", "a d", "g h"]
    refs = [["a b"], ["a d"], ["e f"]]
    cos1 = LOG1_5**2 / (LOG1_5**2 + LOG3**2)
    expected = [10 * cos1 / 4, 5.0, 0.0]
    np.testing.assert_allclose(cider_d_per_image(hyps, refs), expected, rtol=1e-12)
    assert cider_d(hyps, refs) == pytest.approx(100 * sum(expected) / 3)


def test_cider_clips_hypothesis_counts_by_the_reference():
    # N = 2, disjoint vocabularies: idf = log 2 for every n-gram (hypothesis-only ones too).
    # I1 hyp "a a" vs ref "a b": n=1 hyp (a: 2 log2), ref (a: log2, b: log2).
    #   clipped dot = min(2 log2, log2) * log2 = log2^2; norms 2 log2 and sqrt(2) log2
    #   => cos1 = 1 / (2 sqrt 2)   (unclipped it would be 1/sqrt 2);  n=2 "a a" vs "a b" => 0.
    #   score = 10 * (1 / (2 sqrt 2)) / 4 = 0.88388
    hyps, refs = ["a a", "c d"], [["a b"], ["c d"]]
    assert cider_d_per_image(hyps, refs)[0] == pytest.approx(10 / (2 * math.sqrt(2)) / 4)


def test_cider_length_penalty():
    # Same hypothesis and references; only sigma changes. The penalty multiplies each reference's
    # cosines by exp(-(len_h - len_r)^2 / (2 sigma^2)): here 6 - 4 = 2 tokens, so sigma = 6
    # gives exactly exp(-4 / 72) of the (practically) unpenalised sigma = 1e9 score.
    hyps, refs = ["a b c d e f", "g h i j"], [["a b c d"], ["g h i j"]]
    free = cider_d_per_image(hyps, refs, sigma=1e9)[0]
    assert free > 0
    assert cider_d_per_image(hyps, refs, sigma=6.0)[0] == pytest.approx(free * math.exp(-4 / 72))
    # With equal lengths nothing is penalised: the perfect match still gives 10.
    assert cider_d_per_image(hyps, refs, sigma=6.0)[1] == pytest.approx(10.0)
    # Same n-grams, one extra repeat of the sentence: longer hypothesis scores lower.
    longer = cider_d_per_image(["g h i j g h i j", "a b c d"], [["g h i j"], ["a b c d"]])[0]
    assert longer < 10.0


def test_cider_averages_over_a_variable_number_of_references():
    # Disjoint vocabularies, idf = log 2 everywhere. I1 has 2 references: the hypothesis equals
    # the first (cosines 1 -> 1) and shares nothing with the second (0): 10 * (1 + 0) / 2 = 5.
    # I2 is a perfect single-reference match: 10. Corpus = 100 * (5 + 10) / 2 = 750.
    hyps = ["a b c d", "e f g h"]
    refs = [["a b c d", "w x y z"], ["e f g h"]]
    np.testing.assert_allclose(cider_d_per_image(hyps, refs), [5.0, 10.0])
    assert cider_d(hyps, refs) == pytest.approx(750.0)


def test_cider_single_image_corpus_is_zero():
    # coco-caption's idf on a one-image corpus: log(1) - log(max(1, df)) = 0 for every n-gram,
    # so every vector is zero and the score is 0 even for a perfect match.
    assert cider_d(["a b c d"], [["a b c d"]]) == 0.0


def test_cider_is_invariant_to_image_order():
    hyps = ["a man rides a bike", "two dogs in snow", "a woman cooks dinner", "a red bus", ""]
    refs = [
        ["a man riding a bike", "a person on a bicycle"],
        ["two dogs play in the snow"],
        ["a woman is cooking", "a woman cooks in a kitchen", "someone making dinner"],
        ["a red bus on the street", "a bus"],
        ["a cat on a mat"],
    ]
    perm = [3, 0, 4, 2, 1]
    base = cider_d_per_image(hyps, refs)
    permuted = cider_d_per_image([hyps[i] for i in perm], [refs[i] for i in perm])
    np.testing.assert_allclose(permuted, base[perm], rtol=1e-12)
    assert cider_d([hyps[i] for i in perm], [refs[i] for i in perm]) == pytest.approx(
        cider_d(hyps, refs)
    )
    assert base[-1] == 0.0  # the empty hypothesis


def test_caption_metrics_keys_and_values():
    hyps, refs = ["a b c d", "e f g h"], [["a b c d"], ["e f g h"]]
    assert caption_metrics(hyps, refs) == pytest.approx(
        {"bleu1": 100.0, "bleu2": 100.0, "bleu3": 100.0, "bleu4": 100.0, "cider": 1000.0}
    )
