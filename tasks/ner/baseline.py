"""The lookup baseline: every word gets the IOB2 tag it carried most often in the training split
(ties: the tag seen first), a word never seen in training gets O. Scored with the model's own
entity-level F1, so what the tagger scores above it is what context and characters add (the
ambiguous and the held-out names of the synthetic data)."""
from __future__ import annotations

from collections import Counter, defaultdict

from tasks.ner.meta import word_key
from tasks.ner.module import entity_scores


def fit_lookup(tokens: list[list[str]], tags: list[list[str]]) -> dict[str, str]:
    """word key (digits folded, as the model's vocabulary) -> its most frequent training tag."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for words, labels in zip(tokens, tags):
        for word, tag in zip(words, labels):
            counts[word_key(word)][tag] += 1
    return {word: c.most_common(1)[0][0] for word, c in counts.items()}


def lookup_tags(lookup: dict[str, str], words: list[str]) -> list[str]:
    return [lookup.get(word_key(w), "O") for w in words]


def fit_lookup_baseline(items: dict[str, list[dict]], tag_names: list[str]) -> dict[str, float]:
    """Entity F1 on val and test (the splits that have items) of the lookup fitted on items["train"]
    (dicts with "tokens" and tag ids "tags")."""
    def split(name):
        return [it["tokens"] for it in items[name]], [[tag_names[k] for k in it["tags"]] for it in items[name]]

    if not items.get("train"):
        return {}
    lookup = fit_lookup(*split("train"))
    scores = {}
    for name in ("val", "test"):
        if items.get(name):
            tokens, gold = split(name)
            scores[name] = entity_scores(gold, [lookup_tags(lookup, t) for t in tokens])["f1"]
    return scores
