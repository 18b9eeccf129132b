"""CoNLL reader on fixtures: 4 and 2 columns, IOB1/IOB2/IOBES, -DOCSTART- in odd places; bad files."""
import pytest

from suite.errors import UserError
from tasks.ner import readers
from tests.fixtures.ner_formats import SENTENCES, conll_text, convert, write_conll


@pytest.mark.parametrize("scheme", ["iob1", "iob2", "iobes"])
@pytest.mark.parametrize("columns", [4, 2])
def test_every_layout_and_scheme_reads_as_the_same_iob2_sentences(tmp_path, scheme, columns):
    write_conll(tmp_path, columns=columns, scheme=scheme, crlf=columns == 2)
    out = readers.read_conll(tmp_path)
    want = [(toks, tags) for toks, tags in SENTENCES]
    for split in ("train", "val", "test"):
        assert [(s.tokens, s.tags) for s in getattr(out, split)] == want
    assert out.schemes["eng.train"] == scheme


def test_scheme_conversion_round_trips():
    for _, tags in SENTENCES:
        for scheme in ("iob1", "iob2", "iobes"):
            assert readers.to_iob2(convert(tags, scheme)) == tags
    assert readers.to_iob2(["I-PER", "I-PER", "O", "I-LOC", "I-ORG"]) == ["B-PER", "I-PER", "O", "B-LOC", "B-ORG"]


def test_file_names_and_a_carved_val(tmp_path):
    write_conll(tmp_path, names=("train.txt", "dev.txt", None))
    out = readers.read_conll(tmp_path)
    assert len(out.val) == 4 and out.test == [] and any("test split is empty" in n for n in out.notes)
    other = write_conll(tmp_path / "b", names=("train.txt",), columns=2)
    (other / "train.txt").write_text(conll_text(SENTENCES * 5, columns=2))
    out = readers.read_conll(other, val_fraction=0.25, seed=1)
    assert (len(out.train), len(out.val)) == (15, 5) and any("carved 25% of train as val" in n for n in out.notes)


def test_wrong_column_count_is_one_line_naming_file_and_line(tmp_path):
    text = conll_text().splitlines()
    text[4] = "rejects VBZ O"  # 3 columns in a 4-column file
    (tmp_path / "eng.train").write_text("\n".join(text) + "\n")
    with pytest.raises(UserError) as err:
        readers.read_conll(tmp_path)
    msg = str(err.value)
    assert "\n" not in msg and "eng.train' line 5: 3 columns" in msg and "line 3 has 4" in msg


@pytest.mark.parametrize("content, expected", [
    ("", "line 1: the file is empty"),
    ("EU\nrejects\n", "line 1: 1 column"),
    ("EU B-ORG\nrejects X-PER\n", "line 2: tag 'X-PER' is not O"),
])
def test_bad_files_are_one_clear_line(tmp_path, content, expected):
    (tmp_path / "train.txt").write_text(content)
    with pytest.raises(UserError, match=expected):
        readers.read_conll(tmp_path)


def test_undecodable_sentences_are_skipped_and_counted(tmp_path):
    good = conll_text(columns=2, docstarts=None).encode()
    (tmp_path / "train.txt").write_bytes(good + b"caf\xe9\tO\nau\tO\n\n" + good)
    out = readers.read_conll(tmp_path, val_fraction=0.0)
    assert len(out.train) == 8 and out.skipped == [("train.txt:35", "bytes that are not UTF-8")]
    with pytest.raises(UserError, match="train.txt' line 35: bytes that are not UTF-8"):
        readers.read_conll(tmp_path, strict=True)


def test_missing_training_file_is_one_clear_line(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(UserError, match="no training file in .*eng.train, train.txt"):
        readers.read_conll(tmp_path)
