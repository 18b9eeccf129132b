"""Translation readers on fixtures written in exactly the Multi30k parallel and Tatoeba/Anki TSV formats."""

import bz2
import gzip

import pytest

from suite.errors import UserError
from tasks.translation.readers import Pair, PairSplits, read_parallel, read_tsv_pairs
from tests.errors import user_error
from tests.fixtures.translation_formats import write_parallel, write_tsv_pairs


def _pairs(pairs: list[Pair]) -> list[tuple[str, str]]:
    return [(p.src, p.tgt) for p in pairs]



def _sources(split: list[Pair]) -> set[str]:
    return {p.src for p in split}


# ------------------------------------------------------------------------- parallel


@pytest.mark.parametrize("gz", [False, True])
def test_parallel_reads_aligned_splits(tmp_path, gz):
    w = write_parallel(tmp_path, n=(20, 5, 6), gz=gz)
    assert all(p.name.endswith(".gz") == gz for pair in w.files.values() for p in pair)
    out = read_parallel(tmp_path, "en", "de")
    assert isinstance(out, PairSplits)
    for split in ("train", "val", "test"):
        assert _pairs(getattr(out, split)) == w.pairs[split]
    assert out.train[7] == Pair("A old child number 7 runs across the street.",
                                "Der alte Kind Nummer 7 läuft über die Straße.")
    assert (out.skipped_empty, out.notes) == (0, [])


def test_parallel_mixed_plain_and_gzip_and_reversed_direction(tmp_path):
    w = write_parallel(tmp_path)
    de = tmp_path / "train.de"
    (tmp_path / "train.de.gz").write_bytes(gzip.compress(de.read_bytes()))
    de.unlink()
    out = read_parallel(tmp_path, "de", "en")
    assert _pairs(out.train) == [(t, s) for s, t in w.pairs["train"]]


def test_parallel_custom_prefixes(tmp_path):
    w = write_parallel(tmp_path, prefixes=("train", "val", "test_2016_flickr"), n=(12, 4, 3))
    out = read_parallel(tmp_path, "en", "de", test="test_2016_flickr")
    assert _pairs(out.test) == w.pairs["test"]
    default = read_parallel(tmp_path, "en", "de")  # test.en is not there: empty test, said so
    assert default.test == [] and _pairs(default.val) == w.pairs["val"]
    assert any("no test.en or test.de" in n and "test split is empty" in n for n in default.notes)
    w2 = write_parallel(tmp_path / "b", prefixes=("training", "dev", "test"), n=(12, 4, 3))
    out2 = read_parallel(tmp_path / "b", "en", "de", train="training", val="dev")
    assert _pairs(out2.train) == w2.pairs["train"] and _pairs(out2.val) == w2.pairs["val"]


def test_parallel_missing_val_is_carved_seeded(tmp_path):
    w = write_parallel(tmp_path, prefixes=("train", None, "test"), n=(40, 5, 5))
    out = read_parallel(tmp_path, "en", "de", val_fraction=0.1, seed=3)
    assert (len(out.train), len(out.val), len(out.test)) == (36, 4, 5)
    assert sorted(_pairs(out.train + out.val)) == sorted(w.pairs["train"])
    order = {p: i for i, p in enumerate(w.pairs["train"])}
    assert [order[p] for p in _pairs(out.val)] == sorted(order[p] for p in _pairs(out.val))  # file order kept
    assert any("no val.en or val.de" in n and "carved 10% of train as val (4 pairs, seed 3" in n for n in out.notes)
    assert read_parallel(tmp_path, "en", "de", val_fraction=0.1, seed=3) == out
    assert read_parallel(tmp_path, "en", "de", val_fraction=0.1, seed=4).val != out.val


def test_parallel_one_sided_test_file_gives_empty_test(tmp_path):
    write_parallel(tmp_path)
    (tmp_path / "test.de").unlink()  # like Multi30k's test_2018_flickr: source side only
    out = read_parallel(tmp_path, "en", "de")
    assert out.test == [] and any("no test.de in" in n for n in out.notes)


def test_parallel_empty_lines_skipped_and_counted(tmp_path):
    w = write_parallel(tmp_path, n=(20, 5, 5), empty_lines=4)
    out = read_parallel(tmp_path, "en", "de")
    assert _pairs(out.train) == w.pairs["train"]
    assert out.skipped_empty == 4
    assert any("skipped 4 of 24 lines of train.en/train.de with an empty side (first: line 2)" in n
               for n in out.notes)


def test_parallel_mismatched_line_counts(tmp_path):
    write_parallel(tmp_path, n=(20, 5, 5), mismatch=True)
    msg = user_error(read_parallel, tmp_path, "en", "de")
    assert msg == ("train.en has 20 lines but train.de has 19: the files must be line-aligned"
                   " (one sentence per line)")
    write_parallel(tmp_path / "gz", n=(20, 5, 5), mismatch=True, gz=True)
    assert user_error(read_parallel, tmp_path / "gz", "en", "de").startswith(
        "train.en.gz has 20 lines but train.de.gz has 19:")


def test_parallel_missing_language_lists_found_ones(tmp_path):
    write_parallel(tmp_path, src="en", tgt="de")
    (tmp_path / "train.cs.gz").write_bytes(gzip.compress(b"x\n"))
    (tmp_path / "train.lc.norm.tok.en").write_text("x\n")  # not a language suffix
    msg = user_error(read_parallel, tmp_path, "en", "fr")
    assert msg == f"no train.fr in '{tmp_path}': languages found: cs, de, en; set data.tgt= to one of them"
    msg = user_error(read_parallel, tmp_path, "fr", "es")
    assert "no train.fr or train.es" in msg and "set data.src= and data.tgt= to two of them" in msg
    assert "data.src is not set" in user_error(read_parallel, tmp_path, None, "de")
    assert "both 'en'" in user_error(read_parallel, tmp_path, "en", "en")


def test_parallel_missing_root_or_train_files(tmp_path):
    assert "data.root is not set" in user_error(read_parallel, None, "en", "de")
    msg = user_error(read_parallel, tmp_path / "nope", "en", "de")
    assert "does not exist" in msg and "set data.root=" in msg
    write_parallel(tmp_path, prefixes=("training", "val", "test"))
    msg = user_error(read_parallel, tmp_path, "en", "de")
    assert f"no train.en and train.de (or .gz) in '{tmp_path}'" in msg
    assert "files ending in .en there: test, training, val" in msg and "data.train_prefix=" in msg


def test_parallel_zero_usable_pairs(tmp_path):
    (tmp_path / "train.en").write_text("\n  \nHello\n")
    (tmp_path / "train.de").write_text("Hallo\n\n\n")
    msg = user_error(read_parallel, tmp_path, "en", "de")
    assert "no usable sentence pairs in train.en/train.de" in msg and "3 lines" in msg


def test_parallel_bom_and_crlf(tmp_path):
    w = write_parallel(tmp_path, bom=True, crlf=True)
    out = read_parallel(tmp_path, "en", "de")
    assert _pairs(out.train) == w.pairs["train"]
    assert not any("\ufeff" in p.src + p.tgt or "\r" in p.src + p.tgt for p in out.train + out.val + out.test)


def test_parallel_unicode_line_separators_inside_sentences_keep_alignment(tmp_path):
    w = write_parallel(tmp_path, odd_breaks=True)  # U+2028, U+0085, form feed: not line ends
    out = read_parallel(tmp_path, "en", "de")
    assert _pairs(out.train) == w.pairs["train"] and "\u2028" in out.train[0].src


@pytest.mark.parametrize("gz", [False, True])
def test_parallel_bad_utf8_names_file_and_line(tmp_path, gz):
    w = write_parallel(tmp_path, gz=gz)
    path = w.files["train"][1]
    lines = [t.encode() for _, t in w.pairs["train"]]
    lines[6] = b"Der Stra\xdfe"  # latin-1 sharp s on line 7
    data = b"\n".join(lines) + b"\n"
    path.write_bytes(gzip.compress(data) if gz else data)
    msg = user_error(read_parallel, tmp_path, "en", "de")
    assert msg.startswith(f"'{path}' line 7 is not UTF-8 (invalid continuation byte): convert the file to UTF-8")


def test_parallel_corrupt_gzip(tmp_path):
    w = write_parallel(tmp_path, gz=True)
    w.files["train"][0].write_bytes(w.files["train"][0].read_bytes()[:20])
    assert "is not a readable gz archive" in user_error(read_parallel, tmp_path, "en", "de")


def test_fractions_checked(tmp_path):
    write_parallel(tmp_path)
    assert "data.val_fraction=1.5" in user_error(read_parallel, tmp_path, "en", "de", val_fraction=1.5)
    path = write_tsv_pairs(tmp_path / "p.tsv").path
    assert "must be below 1" in user_error(read_tsv_pairs, path, val_fraction=0.5, test_fraction=0.5)


# ------------------------------------------------------------------------- TSV pairs


@pytest.mark.parametrize("extra_columns", [True, False])
def test_tsv_pairs_splits_and_extra_columns(tmp_path, extra_columns):
    w = write_tsv_pairs(tmp_path / "fra.txt", n=40, extra_columns=extra_columns)
    out = read_tsv_pairs(w.path, val_fraction=0.1, test_fraction=0.2, seed=3)
    assert (len(out.train), len(out.val), len(out.test)) == (28, 4, 8)
    got = _pairs(out.train + out.val + out.test)
    assert sorted(got) == sorted(w.pairs)  # aligned, attribution column dropped
    assert not any("CC-BY" in p.tgt for p in out.train)
    assert any('"cheese"' in s for s, _ in got)  # quotes are text, not CSV quoting
    assert out.skipped_empty == 0
    assert any("carved 20% of pairs as test (8) and 10% as val (4) (seed 3)" in n for n in out.notes)
    assert read_tsv_pairs(w.path, val_fraction=0.1, test_fraction=0.2, seed=3) == out
    assert read_tsv_pairs(w.path, val_fraction=0.1, test_fraction=0.2, seed=4).test != out.test


def test_tsv_short_lines_and_empty_sides_counted(tmp_path):
    w = write_tsv_pairs(tmp_path / "p.tsv", n=30, short_lines=3, empty_sides=2)
    out = read_tsv_pairs(w.path)
    assert sorted(_pairs(out.train + out.val + out.test)) == sorted(w.pairs)
    assert out.skipped_empty == 5
    assert any("skipped 3 lines of p.tsv with fewer than 2 tab-separated columns" in n for n in out.notes)
    assert any("skipped 2 pairs of p.tsv with an empty side" in n for n in out.notes)


@pytest.mark.parametrize("kw, line, what", [({"short_lines": 1}, 3, "fewer than 2 tab-separated columns"),
                                             ({"empty_sides": 1}, 4, "an empty source or target")])
def test_tsv_strict_makes_a_bad_line_one_error_naming_file_and_line(tmp_path, kw, line, what):
    w = write_tsv_pairs(tmp_path / "p.tsv", n=10, **kw)
    with pytest.raises(UserError) as err:
        read_tsv_pairs(w.path, strict=True)
    assert str(err.value).startswith(f"'{w.path}' line {line}: {what} (data.strict=true)")
    assert "data.strict=false" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("seed", range(8))
def test_tsv_same_source_kept_in_one_split(tmp_path, seed):
    w = write_tsv_pairs(tmp_path / "p.tsv", n=40, duplicates=30)  # sources 0..29 have two translations
    assert len({s for s, _ in w.pairs}) == 40 and len(w.pairs) == 70
    out = read_tsv_pairs(w.path, val_fraction=0.2, test_fraction=0.2, seed=seed)
    train, val, test = _sources(out.train), _sources(out.val), _sources(out.test)
    assert not (train & val or train & test or val & test)
    assert sorted(_pairs(out.train + out.val + out.test)) == sorted(w.pairs)  # every translation kept
    assert 14 <= len(out.val) <= 15 and 14 <= len(out.test) <= 15  # 20% of 70, a group may overshoot by 1


def test_tsv_bom_crlf(tmp_path):
    w = write_tsv_pairs(tmp_path / "p.tsv", bom=True, crlf=True)
    out = read_tsv_pairs(w.path)
    got = out.train + out.val + out.test
    assert sorted(_pairs(got)) == sorted(w.pairs)
    assert not any("\ufeff" in p.src or "\r" in p.tgt for p in got)


def test_tsv_tatoeba_ids_layout(tmp_path):
    w = write_tsv_pairs(tmp_path / "pairs.tsv", n=20, ids=True, short_lines=1)
    out = read_tsv_pairs(w.path)
    assert sorted(_pairs(out.train + out.val + out.test)) == sorted(w.pairs)
    assert any("tatoeba.org layout" in n for n in out.notes) and out.skipped_empty == 1


def test_tsv_bad_utf8_names_file_and_line(tmp_path):
    path = tmp_path / "p.tsv"
    path.write_bytes(b"Hi.\tSalut.\nCaf\xe9.\tCaf\xe9.\n")
    msg = user_error(read_tsv_pairs, path)
    assert msg.startswith(f"'{path}' line 2 is not UTF-8")


def test_tsv_user_errors(tmp_path):
    assert "data.path is not set" in user_error(read_tsv_pairs, "")
    assert "does not exist" in user_error(read_tsv_pairs, tmp_path / "nope.tsv")
    (tmp_path / "fra.txt").write_text("Go.\tVa !\n")
    assert "is a folder: set data.path=<the file inside it>, e.g. fra.txt" in user_error(read_tsv_pairs, tmp_path)
    (tmp_path / "fra-eng.zip").write_bytes(b"PK\x03\x04")
    assert "unzip it" in user_error(read_tsv_pairs, tmp_path / "fra-eng.zip")
    (tmp_path / "c.csv").write_text("Go.,Va !\nHi.,Salut !\n")
    msg = user_error(read_tsv_pairs, tmp_path / "c.csv")
    assert "no usable pairs" in msg and "none of its 2 lines" in msg


def test_tsv_compressed_download(tmp_path):
    w = write_tsv_pairs(tmp_path / "p.tsv", n=20, ids=True)
    packed = tmp_path / "eng-fra_links.tsv.bz2"  # tatoeba.org serves its pair exports bzip2-compressed
    packed.write_bytes(bz2.compress(w.path.read_bytes()))
    out = read_tsv_pairs(packed)
    assert sorted(_pairs(out.train + out.val + out.test)) == sorted(w.pairs)
