"""The sentiment bag-of-words baseline: bigrams count, and too few labels give no score."""
from tasks.sentiment.baseline import fit_bow_baseline


def _items(rows):
    return [{"text": t, "label": y} for t, y in rows]


def test_bigrams_separate_what_unigrams_cannot():
    # every text has "not", "good" and "bad" once; only the pair "not good" / "not bad" tells the label
    train = _items([("it was not good , it was bad", "neg"), ("it was not bad , it was good", "pos")] * 20)
    val = _items([("the film was not bad and it was good", "pos"), ("the film was not good and it was bad", "neg")])
    assert fit_bow_baseline({"train": train, "val": val, "test": []}) == {"val": 1.0}


def test_one_training_label_gives_no_baseline():
    assert fit_bow_baseline({"train": _items([("fine", "pos"), ("good", "pos")]), "val": _items([("bad", "neg")])}) == {}
