"""The NER lookup baseline on hand-worked sentences."""
import pytest

from tasks.ner.baseline import fit_lookup, fit_lookup_baseline, lookup_tags

TAGS = ["O", "B-LOC", "I-LOC", "B-PER", "I-PER"]


def test_each_word_takes_its_most_frequent_tag_and_unknown_words_are_o():
    lookup = fit_lookup([["Paris", "won", "in", "1998"], ["Paris", "Smith", "left", "Paris"]],
                        [["B-LOC", "O", "O", "O"], ["B-PER", "I-PER", "O", "B-LOC"]])
    assert lookup["Paris"] == "B-LOC" and lookup["Smith"] == "I-PER"  # Paris: B-LOC twice, B-PER once
    assert lookup_tags(lookup, ["Paris", "won", "in", "2004", "Oslo"]) == ["B-LOC", "O", "O", "O", "O"]


def test_scores_val_and_test_with_entity_f1():
    def item(tokens, tags):
        return {"tokens": tokens.split(), "tags": [TAGS.index(t) for t in tags.split()]}

    items = {"train": [item("John Smith met Anna in Paris", "B-PER I-PER O B-PER O B-LOC")],
             "val": [item("Anna met Kowalczyk in Paris", "B-PER O B-PER O B-LOC")],  # finds 2 of 3, no false one
             "test": []}
    got = fit_lookup_baseline(items, TAGS)
    assert set(got) == {"val"} and got["val"] == pytest.approx(2 * 1.0 * (2 / 3) / (1.0 + 2 / 3))  # P 1, R 2/3
