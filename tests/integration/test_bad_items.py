"""Every task's real-format readers, on a fixture dataset where exactly 20% of the items are bad
(truncated or corrupt, zero-byte, listed but missing, not UTF-8, empty, malformed): a tiny run
trains through the real engine, skips them, and reports exactly that many (the "skipped N ..."
warnings and the logged data/skipped); data.strict=true fails in one line naming a bad item.

Formats whose readers fail fast by design on a bad line (a time series would shift, a text file is
one item, a malformed CoNLL or non-UTF-8 parallel file cannot be realigned) end in one line naming
the file and the line instead: test_a_bad_line_where_skipping_is_unsafe_is_one_line_naming_it.
"""
from __future__ import annotations

import csv
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from suite.engine import train
from suite.errors import UserError
from tests.conftest import TINY_CAPTIONING, TINY_TRANSLATION, compose_train
from tests.fixtures.audio_formats import TINY_SPEECH, write_audio, write_broken
from tests.fixtures.caption_formats import write_flickr8k
from tests.fixtures.ner_formats import SENTENCES, TINY_NER, conll_text
from tests.fixtures.sentiment_formats import TINY_SENTIMENT, write_imdb
from tests.fixtures.series_formats import write_bad_cell_csv
from tests.fixtures.text_formats import write_latin1
from tests.fixtures.translation_formats import write_parallel
from tests.fixtures.video_formats import TINY_ACTIVITY, write_ucf101


@dataclass
class Case:
    overrides: list[str]
    items: int  # items in the dataset, bad ones included
    n_bad: int  # of which bad
    names: list[str]  # names (file, or file:line) the messages give bad items by
    found_in_test: int = 0  # bad items only the test loop meets (after the last data/skipped is logged)
    kinds: set[str] = field(default_factory=set)  # documentation: the ways the items are bad


def _tiny(base: list[str]) -> list[str]:
    """A task's tiny model and trainer overrides (not its synthetic data's), on one thread, logging to CSV."""
    return [*(o for o in base if not o.startswith(("data.", "logger=", "threads="))), "logger=csv", "threads=1"]


def _captioning(tmp: Path) -> Case:
    w = write_flickr8k(tmp / "flickr8k", n_images=20, missing=1)  # image 1 (train) listed, never written
    images = tmp / "flickr8k" / "Flicker8k_Dataset"
    truncated, empty, not_image = w.splits["train"][2], w.splits["val"][0], w.splits["test"][0]
    data = (images / truncated).read_bytes()
    (images / truncated).write_bytes(data[: len(data) // 3])  # an interrupted copy
    (images / empty).write_bytes(b"")
    (images / not_image).write_bytes(b"<html>404 Not Found</html>\n" * 20)  # a saved error page
    return Case([*_tiny(TINY_CAPTIONING), "data=flickr8k", f"data.root={tmp / 'flickr8k'}", "data.image_size=32",
                 "data.min_word_count=1", "data.num_workers=0", "data.batch_size=4"],
                items=20, n_bad=4, names=[*w.missing, truncated, empty, not_image], found_in_test=1,
                kinds={"missing", "truncated", "zero-byte", "wrong type"})


def _activity(tmp: Path) -> Case:
    # 12 real clips + a zero-byte video, a garbage .avi and a listed-but-absent one, all in trainlist01
    w = write_ucf101(tmp / "ucf", groups=4, clips_per_group=1, test_groups=1, frames=8, size=32)
    return Case([*_tiny(TINY_ACTIVITY), "data=ucf101", f"data.root={w.root}", "data.image_size=16",
                 "data.max_frames=8", "data.segments=4", "data.num_workers=0", "data.val_fraction=0.34",
                 "data.batch_size=4", f"data.cache_dir={tmp / 'clips'}"],
                items=len(w.train) + len(w.test) + len(w.corrupt) + len(w.missing), n_bad=3, names=[*w.corrupt,
                                                                                                  *w.missing],
                kinds={"zero-byte", "corrupt", "missing"})


def _speech(tmp: Path) -> Case:
    good = [write_audio(tmp / "clips" / f"g{i:02d}.wav", 0.5 + 0.02 * i) for i in range(20)]
    broken = write_broken(tmp / "clips")
    bad = [broken["empty"], broken["zero-length"], broken["corrupt"]]
    lines = [f'{{"audio": "clips/{p.name}", "text": "{"three" if i % 2 else "one two"}"}}' for i, p in enumerate(good)]
    for k, p in enumerate(bad):  # spread through the manifest
        lines.insert(4 * k + 1, f'{{"audio": "clips/{p.name}", "text": "four"}}')
    lines.insert(13, '{"audio": "clips/missing.flac", "text": "five"}')  # listed, not on disk
    lines.insert(17, '{"audio": "clips/g00.wav", "text": "six"')  # a line cut short: not JSON
    (tmp / "train.jsonl").write_text("\n".join(lines) + "\n")
    return Case([*_tiny(TINY_SPEECH), "data=audio_manifest", f"data.train={tmp / 'train.jsonl'}",
                 "data.val_fraction=0.2", "data.num_workers=0", "data.batch_frames=400"],
                items=25, n_bad=5, names=[p.name for p in bad] + ["missing.flac", "train.jsonl:18"],
                kinds={"zero-byte", "zero samples", "corrupt", "missing", "malformed line"})


def _translation(tmp: Path) -> Case:
    # 12 + 4 + 4 pairs and 5 train lines with an empty or blank side ("", "   ", "\t", either side)
    w = write_parallel(tmp / "multi30k", n=(12, 4, 4), empty_lines=5)
    return Case([*_tiny(TINY_TRANSLATION), "data=parallel", f"data.root={w.root}", "data.src=en",
                 "data.tgt=de", "data.tokenizer=word", "data.batch_size=4"],
                items=25, n_bad=5, names=["train.en", "train.de"], kinds={"empty side", "blank side"})


def _imdb(tmp: Path) -> Case:
    root = tmp / "aclImdb"
    write_imdb(root, n=8, empty=2, bad_bytes=2)  # 32 reviews + 2 blank and 2 Latin-1 files in train/pos
    (root / "train" / "neg" / "990_1.txt").write_bytes(b"")
    (root / "test" / "neg" / "991_2.txt").write_bytes(b"")
    (root / "test" / "pos" / "992_9.txt").write_bytes("a great caf\u00e9".encode()[:-1])  # UTF-8 cut mid-character
    os.symlink(tmp / "elsewhere" / "993_1.txt", root / "train" / "neg" / "993_1.txt")  # listed, target gone
    return Case([*_tiny(TINY_SENTIMENT), "data=imdb", f"data.root={root}", "data.min_word_count=1",
                 "data.batch_size=8"],
                items=40, n_bad=8, names=["900_10.txt", "901_10.txt", "950_10.txt", "951_10.txt", "990_1.txt", "991_2.txt",
                               "992_9.txt", "993_1.txt"],
                kinds={"blank", "zero-byte", "not UTF-8", "truncated UTF-8", "dangling link"})


def _text_csv(tmp: Path) -> Case:
    rows = [f'"Review {i}, {"truly wonderful" if i % 2 else "quite dreadful"}.",{"pos" if i % 2 else "neg"}'
            for i in range(16)]
    bad = [b'"a review without its label"', b'"",pos', b'"a review with an empty label",',
           "caf\u00e9 in Latin-1,neg".encode("latin-1")]
    lines = [b"text,label"] + [r.encode() for r in rows]
    for k, b in enumerate(bad):
        lines.insert(4 * k + 3, b)
    (tmp / "reviews.csv").write_bytes(b"\n".join(lines) + b"\n")
    return Case([*_tiny(TINY_SENTIMENT), "data=text_csv", f"data.path={tmp / 'reviews.csv'}",
                 "data.min_word_count=1", "data.batch_size=4"],
                items=20, n_bad=4, names=[f"reviews.csv:{4 * k + 4}" for k in range(4)],
                kinds={"missing column", "empty text", "empty label", "not UTF-8"})


def _ner(tmp: Path) -> Case:
    root = tmp / "conll"
    root.mkdir()
    bad_bytes = [b"caf\xe9", b"Z\xc3rich", b"\x80\x80", b"\xff\xfeU"]  # Latin-1, cut UTF-8, stray bytes

    def write(name, copies, marked):  # `marked`: indices of sentences that get a token of bad bytes
        sentences = [(list(toks), tags) for toks, tags in SENTENCES * copies]
        for k in marked:
            sentences[k][0][0] = f"BAD{k}"
        data = conll_text(sentences).encode()
        for n, k in enumerate(marked):
            data = data.replace(f"BAD{k}".encode(), bad_bytes[(n + len(name)) % 4])
        (root / name).write_bytes(data)

    write("eng.train", 3, [1, 6])  # 12 sentences, 2 bad
    write("eng.testa", 1, [2])
    write("eng.testb", 1, [3])
    return Case([*_tiny(TINY_NER), "data=conll", f"data.root={root}", "data.batch_size=8"], items=20, n_bad=4,
                names=["eng.train", "eng.testa", "eng.testb"], kinds={"not UTF-8", "truncated UTF-8"})


CASES = {"captioning": _captioning, "activity": _activity, "speech": _speech, "translation": _translation,
         "sentiment_imdb": _imdb, "sentiment_csv": _text_csv, "ner": _ner}
_SKIPPED = re.compile(r"^skipped (\d+) ")


@pytest.mark.parametrize("task", CASES)
def test_a_fifth_bad_items_train_and_are_counted_exactly(task, tmp_path, caplog):
    case = CASES[task](tmp_path)
    n_bad = case.n_bad
    assert n_bad * 5 == case.items  # 20%
    with caplog.at_level(logging.WARNING):
        metrics = train(compose_train(tmp_path / "run", case.overrides))
    assert any(k.startswith("val/") for k in metrics)
    reports = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    counts = [int(m.group(1)) for m in map(_SKIPPED.match, reports) if m]
    assert sum(counts) == n_bad, [r for r in reports if "skipped" in r]  # each bad item reported once
    with open(tmp_path / "run" / "csv" / "version_0" / "metrics.csv") as f:
        logged = [float(r["data/skipped"]) for r in csv.DictReader(f) if r.get("data/skipped")]
    assert logged and logged[-1] == n_bad - case.found_in_test


@pytest.mark.parametrize("task", CASES)
def test_strict_fails_in_one_line_naming_a_bad_item(task, tmp_path):
    case = CASES[task](tmp_path)
    with pytest.raises(UserError) as err:
        train(compose_train(tmp_path / "run", [*case.overrides, "data.strict=true"]))
    msg = str(err.value)
    assert "\n" not in msg and any(name in msg for name in case.names), msg
    assert not (tmp_path / "run" / "checkpoints" / "last.ckpt").exists()


def _bad_parallel_encoding(tmp: Path):
    w = write_parallel(tmp / "multi30k", n=(12, 4, 4))
    src = w.files["train"][0]
    lines = src.read_bytes().split(b"\n")
    lines[6] = "Caf\u00e9 au lait.".encode("latin-1")
    src.write_bytes(b"\n".join(lines))
    return ([*_tiny(TINY_TRANSLATION), "data=parallel", f"data.root={w.root}", "data.src=en", "data.tgt=de",
             "data.tokenizer=word"], [f"'{src}' line 7 is not UTF-8", "iconv"])


def _bad_conll_line(tmp: Path):
    (tmp / "eng.train").write_text(conll_text(SENTENCES * 3).replace("Blackburn NNP I-NP I-PER", "Blackburn I-PER", 1))
    line = conll_text(SENTENCES * 3).split("\n").index("Blackburn NNP I-NP I-PER") + 1
    return [*_tiny(TINY_NER), "data=conll", f"data.root={tmp}"], [f"'{tmp / 'eng.train'}' line {line}: 2 columns"]


def _bad_text_file(tmp: Path):
    path = write_latin1(tmp / "corpus.txt", line=7)
    return ["task=charlm", "data=text_file", f"data.path={path}", "logger=none", "threads=1"], [
        f"{path} line 7: not UTF-8 text", "save the file as UTF-8"]


def _bad_series_cell(tmp: Path):
    path = write_bad_cell_csv(tmp / "airline.csv", bad_row=4)
    return ["task=forecast", "data=csv_series", f"data.path={path}", "data.column=Passengers", "logger=none",
            "threads=1"], [f"{path} line 6: column 'Passengers' holds 'n/a', not a number"]


def _bad_series_encoding(tmp: Path):
    path = tmp / "airline.csv"
    path.write_bytes(b"Month,Passengers\n" + b"".join(f"1949-{i:02d},{i}\n".encode() for i in range(1, 9))
                     + "1949-09,112 caf\u00e9\n".encode("latin-1"))
    return ["task=forecast", "data=csv_series", f"data.path={path}", "data.column=Passengers", "logger=none",
            "threads=1"], [f"{path} line 10: not UTF-8 text", "save it as UTF-8"]


FAIL_FAST = {"translation_encoding": _bad_parallel_encoding, "ner_columns": _bad_conll_line,
             "charlm_encoding": _bad_text_file, "forecast_cell": _bad_series_cell,
             "forecast_encoding": _bad_series_encoding}


@pytest.mark.parametrize("case", FAIL_FAST)
def test_a_bad_line_where_skipping_is_unsafe_is_one_line_naming_it(case, tmp_path):
    overrides, expected = FAIL_FAST[case](tmp_path)
    with pytest.raises(UserError) as err:
        train(compose_train(tmp_path / "run", overrides))
    msg = str(err.value)
    assert "\n" not in msg and all(e in msg for e in expected), msg
