"""The synthetic reviews: deterministic, balanced, in the text_csv layout, and beyond word counting."""
import csv
import random
from collections import Counter

from tasks.sentiment import readers
from tasks.sentiment.baseline import fit_bow_baseline
from tasks.sentiment.synthetic import generate_reviews, review


def _bag_of_words_accuracy(train, test) -> float:
    """The task's own baseline (uni+bigram counts -> logistic regression): roughly the best a model
    ignoring longer order does."""
    items = {split: [{"text": t, "label": y} for t, y in rows] for split, rows in (("train", train), ("val", test))}
    return fit_bow_baseline(items)["val"]


def test_written_as_text_csv_deterministically(tmp_path):
    a = generate_reviews(tmp_path / "a", n_train=50, n_val=10, n_test=10)
    b = generate_reviews(tmp_path / "b", n_train=50, n_val=10, n_test=10)
    for split in ("train", "val", "test"):
        assert (a / f"{split}.csv").read_bytes() == (b / f"{split}.csv").read_bytes()
    out = readers.read_text_csv(a / "train.csv", val_path=a / "val.csv", test_path=a / "test.csv")
    assert (len(out.train), len(out.val), len(out.test)) == (50, 10, 10) and not out.skipped
    with open(a / "train.csv", newline="") as f:
        assert next(csv.reader(f)) == ["text", "label"]


def test_labels_balanced_and_word_counts_fail():
    train = [review(random.Random(f"t{k}")) for k in range(3000)]
    test = [review(random.Random(f"v{k}")) for k in range(600)]
    shares = Counter(lab for _, lab in train)
    assert abs(shares["positive"] - shares["negative"]) < 0.06 * len(train)
    assert 0.55 < _bag_of_words_accuracy(train, test) < 0.75  # an order-aware model reaches > 0.95


def _clause_polarity(clause: str) -> str:
    """Polarity of one generated clause: its opinion word, flipped by a negation."""
    from tasks.sentiment.synthetic import BAD, DISLIKE, GOOD, LIKE, LIKE_BASE

    words = clause.split()
    good = set(GOOD) | set(LIKE) | {LIKE_BASE[v] for v in LIKE}
    bad = set(BAD) | set(DISLIKE) | {LIKE_BASE[v] for v in DISLIKE}
    sign = 1 if good & set(words) else -1
    assert (good | bad) & set(words), clause
    if {"not", "never", "hardly"} & set(words):
        sign = -sign
    return "positive" if sign > 0 else "negative"


def test_the_decisive_clause_depends_on_the_connective():
    from tasks.sentiment.synthetic import BAD, GOOD

    texts = [review(random.Random(f"c{k}")) for k in range(600)]
    seen = Counter()
    for t, y in texts:
        if "not only" in t:  # "not only X but also Y": no real negation, both words share the label's side
            words = set(t.split())
            assert words & set(GOOD if y == "positive" else BAD) and not words & set(BAD if y == "positive" else GOOD)
            seen["not only"] += 1
        elif " , but " in t and "expected" not in t:  # the clause after "but" decides, the one before disagrees
            first, second = t.split(" , but ")
            assert _clause_polarity(second.split(" .")[0]) == y != _clause_polarity(first.split(" . ")[-1])
            seen["but"] += 1
        elif t.startswith("although") or " although " in t:
            head, tail = t.split("although ")[1].split(" , ") if "although " in t.split(" , ")[0] else (None, None)
            if head is not None:  # "although A , B": B decides
                assert _clause_polarity(tail.split(" .")[0]) == y != _clause_polarity(head)
                seen["although first"] += 1
    assert min(seen.values()) > 30 and len(seen) == 3


def test_no_val_or_test_review_occurs_in_train():
    from tasks.sentiment.synthetic import split_reviews

    out = split_reviews({"n_train": 3000, "n_val": 300, "n_test": 300, "seed": 0})
    train = {text for text, _ in out["train"]}
    val = {text for text, _ in out["val"]}
    assert not val & train and not {text for text, _ in out["test"]} & (train | val)
    # the draws that collided (several percent: short reviews repeat) were redrawn, the rest kept
    first = [review(random.Random(f"0/val/{k}")) for k in range(300)]
    collided = [k for k, (text, _) in enumerate(first) if text in train]
    assert len(collided) >= 3
    assert [k for k, row in enumerate(out["val"]) if row != first[k]] == collided
