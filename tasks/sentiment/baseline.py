"""The bag-of-words baseline: uni- and bigram counts -> logistic regression (scikit-learn), fitted on
the training split. It sees every word of a review and the pairs of neighbours, but no longer order,
so what the recurrent model scores above it is what reading the structure adds."""
from __future__ import annotations

from tasks.sentiment.readers import tokenize


def fit_bow_baseline(items: dict[str, list[dict]]) -> dict[str, float]:
    """Accuracy on val and test (the splits that have items) of the baseline fitted on items["train"]
    (dicts with "text" and "label"); {} when train has fewer than two labels."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    train = items.get("train") or []
    if len({it["label"] for it in train}) < 2:
        return {}
    # the model's own tokenizer (lower case, words and punctuation); bigrams keep "not bad" together
    vectorizer = CountVectorizer(tokenizer=tokenize, lowercase=False, token_pattern=None, ngram_range=(1, 2))
    model = make_pipeline(vectorizer, LogisticRegression(max_iter=1000))  # sklearn's default C=1: L2-regularised
    model.fit([it["text"] for it in train], [it["label"] for it in train])
    return {split: float(model.score([it["text"] for it in items[split]], [it["label"] for it in items[split]]))
            for split in ("val", "test") if items.get(split)}
