"""Sentiment readers on fixtures in the real formats: IMDB folders, CSV with named columns; bad input."""
import pytest

from suite.errors import UserError
from tasks.sentiment import readers
from tests.fixtures.sentiment_formats import write_csv, write_imdb


def test_imdb_reads_every_review_and_carves_a_seeded_stratified_val(tmp_path):
    written = write_imdb(tmp_path, n=10)
    out = readers.read_imdb(tmp_path, val_fraction=0.2, seed=3)
    assert sorted((r.text, r.label) for r in out.train + out.val) == sorted(written["train"])  # unsup ignored
    assert sorted((r.text, r.label) for r in out.test) == sorted(written["test"])
    assert [r.label for r in out.val].count("positive") == 2 and [r.label for r in out.val].count("negative") == 2
    assert any("carved 20% of train as val" in n and "seed 3" in n for n in out.notes)
    assert readers.read_imdb(tmp_path, val_fraction=0.2, seed=3).val == out.val  # seeded
    assert readers.read_imdb(tmp_path, val_fraction=0.2, seed=4).val != out.val


def test_imdb_skips_and_counts_empty_and_undecodable_reviews(tmp_path):
    write_imdb(tmp_path, n=3, test=False, empty=2, bad_bytes=1)
    out = readers.read_imdb(tmp_path, val_fraction=0.0)
    assert len(out.train) == 6 and out.test == []
    assert sorted(r for _, r in out.skipped)[0] == "empty file" and len(out.skipped) == 3
    assert any("not UTF-8" in r for _, r in out.skipped)
    with pytest.raises(UserError, match="strict"):
        readers.read_imdb(tmp_path, strict=True)


def test_imdb_without_train_folders_is_one_clear_line(tmp_path):
    with pytest.raises(UserError, match=r"no folder train/pos .*aclImdb"):
        readers.read_imdb(tmp_path)


def test_csv_with_named_columns_quotes_and_line_breaks(tmp_path):
    rows = [("id1", "Great, \"really\" great\nsecond line", "pos"), ("id2", "bad", "neg"), ("id3", "  ", "pos"),
            ("id4", "fine", ""), ("id5", "ok", "pos")]
    path = write_csv(tmp_path / "r.csv", rows, header=("id", "review", "sentiment"), bom=True)
    got = readers.read_csv_file(path, "review", "sentiment", skip=(skip := readers._Skips(False)))
    assert [(r.text, r.label) for r in got] == [("Great, \"really\" great\nsecond line", "pos"), ("bad", "neg"),
                                                ("ok", "pos")]
    assert [n for n, _ in skip.items] == ["r.csv:5", "r.csv:6"]  # file:line of the empty text and empty label


def test_text_csv_carves_val_and_test_or_reads_their_files(tmp_path):
    rows = [(f"text {i}", "a" if i % 2 else "b") for i in range(40)]
    path = write_csv(tmp_path / "all.csv", rows)
    out = readers.read_text_csv(path, val_fraction=0.1, test_fraction=0.2, seed=0)
    assert (len(out.train), len(out.val), len(out.test)) == (28, 4, 8)
    assert sorted(r.text for r in out.train + out.val + out.test) == sorted(t for t, _ in rows)
    assert any("carved 10%" in n for n in out.notes) and any("carved 20%" in n for n in out.notes)
    val = write_csv(tmp_path / "val.csv", [("v", "a")])
    out = readers.read_text_csv(path, val_path=val, test_fraction=0.0)
    assert [r.text for r in out.val] == ["v"] and len(out.train) == 40 and out.test == []


def test_csv_without_the_named_column_is_one_line_naming_file_and_line(tmp_path):
    path = write_csv(tmp_path / "r.csv", [("x", "pos")], header=("review", "label"))
    with pytest.raises(UserError) as err:
        readers.read_text_csv(path)
    msg = str(err.value)
    assert "\n" not in msg and "r.csv' line 1" in msg and "'text'" in msg and "data.text_column" in msg


def test_empty_csv_file_is_one_line_naming_file_and_line(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(UserError, match=r"empty.csv' line 1: the file is empty"):
        readers.read_text_csv(tmp_path / "empty.csv")


def test_tokenize_drops_html_breaks_and_lowercases():
    assert readers.tokenize("Not BAD.<br /><br />Isn't it?") == ["not", "bad", ".", "isn't", "it", "?"]


def test_predict_inputs_empty_file_or_text_are_one_clear_line(tmp_path):
    from suite.data.inputs import read_lines as read_inputs

    (tmp_path / "empty.txt").write_text("\n  \n")
    with pytest.raises(UserError, match=r"empty.txt' line 1: the file is empty: put one text a line"):
        read_inputs(str(tmp_path / "empty.txt"))
    with pytest.raises(UserError, match="input is empty"):
        read_inputs("  ")
    (tmp_path / "two.txt").write_text("good\n\nbad\n")
    assert read_inputs(str(tmp_path / "two.txt")) == ["good", "bad"]
    assert read_inputs("a review " * 200) == [("a review " * 200).strip()]  # too long for a file name
