"""Every task's real-format readers, on a fixture dataset where exactly 20% of the items are bad
(truncated or corrupt, zero-byte, listed but missing, not UTF-8, empty, malformed): a tiny run
trains through the real engine, skips them, and reports exactly that many (the "skipped N ..."
warnings and the logged data/skipped); data.strict=true fails in one line naming a bad item.

Formats whose readers fail fast by design on a bad line (a time series would shift, a text file is
one item, a malformed CoNLL or non-UTF-8 parallel file cannot be realigned, a TSV export in another
encoding is wrong on every accented line, not on one) end in one line naming the file and the line
instead: test_a_bad_line_where_skipping_is_unsafe_is_one_line_naming_it.
"""
from __future__ import annotations

import csv
import json
import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from suite.engine import train
from suite.errors import UserError
from tasks.speech.readers import read_librispeech, read_manifests
from tests.conftest import TINY_CAPTIONING, TINY_TRANSLATION, compose_train
from tests.fixtures.audio_formats import TINY_SPEECH, spoil_librispeech, write_audio, write_broken, write_librispeech
from tests.fixtures.caption_formats import spoil_images, write_coco, write_flickr8k, write_karpathy
from tests.fixtures.ner_formats import SENTENCES, TINY_NER, conll_text
from tests.fixtures.sentiment_formats import TINY_SENTIMENT, write_imdb
from tests.fixtures.series_formats import write_bad_cell_csv
from tests.fixtures.text_formats import write_latin1
from tests.fixtures.translation_formats import sentence_pair, write_parallel
from tests.fixtures.video_formats import TINY_ACTIVITY, spoil_videos, write_ucf101, write_video_folder


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
    spoil_images(images / truncated, images / empty, images / not_image)
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


_CAPTION_SIZES = ["data.image_size=32", "data.min_word_count=1", "data.num_workers=0", "data.batch_size=4"]


def _coco(tmp: Path) -> Case:
    # 15 train2017 + 5 val2017 images (val2017 is the test split; val is carved from train)
    w = write_coco(tmp / "coco", year=2017, n_train=15, n_val=5, missing=1)  # the last train image is never written
    train, test = w.splits["train"], w.splits["val"]
    spoil_images(w.root / train[2], w.root / test[0], w.root / train[6])
    ann = w.root / "annotations" / "captions_train2017.json"
    coco = json.loads(ann.read_text())  # a caption whose image_id is in no 'images' entry: a note, not an image
    coco["annotations"].insert(3, {"image_id": 424242, "id": 1, "caption": "A red kite over a beach."})
    ann.write_text(json.dumps(coco))
    bad = [*w.missing, train[2], test[0], train[6]]
    return Case([*_tiny(TINY_CAPTIONING), "data=coco", f"data.root={w.root}", "data.val_fraction=0.2", *_CAPTION_SIZES],
                items=20, n_bad=4, names=[*(Path(k).name for k in bad), "image_id 424242"], found_in_test=1,
                kinds={"missing", "truncated", "zero-byte", "wrong type"})


def _karpathy(tmp: Path) -> Case:
    # dataset_coco.json: 20 images cycling through train/restval/val/test, under train2014/ and val2014/
    w = write_karpathy(tmp / "karpathy", name="coco", n_images=20, missing=1)  # image 19 (test) never written
    s = w.splits
    spoil_images(w.root / s["train"][1], w.root / s["val"][0], w.root / s["restval"][2])
    bad = [*w.missing, s["train"][1], s["val"][0], s["restval"][2]]
    return Case([*_tiny(TINY_CAPTIONING), "data=karpathy", f"data.root={w.root}", *_CAPTION_SIZES],
                items=20, n_bad=4, names=[Path(k).name for k in bad],
                kinds={"missing", "truncated", "zero-byte", "wrong type"})


def _video_folder(tmp: Path) -> Case:
    # {train,val,test}/<class>/*.mp4: 3 classes x (3, 1, 1) videos, of which 3 spoiled
    w = write_video_folder(tmp / "videos", classes=("left", "right", "up"), per_split=(3, 1, 1), frames=8, size=32)
    truncated, empty, not_video = w["test"][1], w["train"][4], w["val"][2]
    spoil_videos(truncated, empty, not_video)
    (tmp / "videos" / "train" / "left" / "notes.txt").write_text("shot on a phone\n")  # not a video name: not an item
    return Case([*_tiny(TINY_ACTIVITY), "data=video_folder", f"data.root={tmp / 'videos'}", "data.image_size=16",
                 "data.max_frames=8", "data.segments=4", "data.num_workers=0", "data.batch_size=4",
                 f"data.cache_dir={tmp / 'clips'}"],
                items=15, n_bad=3, names=[p.name for p in (truncated, empty, not_video)], found_in_test=1,
                kinds={"truncated", "zero-byte", "wrong type"})


def _librispeech(tmp: Path) -> Case:
    # 2 speakers x (5 train-clean-100, 2 dev-clean, 3 test-clean) utterances + 5 bad ones in train
    root = write_librispeech(tmp / "ls", {"train-clean-100": 5, "dev-clean": 2, "test-clean": 3})
    names = spoil_librispeech(root / "LibriSpeech" / "train-clean-100" / "19" / "198")
    return Case([*_tiny(TINY_SPEECH), "data=librispeech", f"data.root={root}", "data.num_workers=0",
                 "data.batch_frames=400"],
                items=25, n_bad=5, names=names,
                kinds={"truncated", "zero-byte", "missing", "no transcript", "not UTF-8"})


def _tsv_pairs(tmp: Path) -> Case:
    # a Tatoeba/Anki export: 16 pairs with Anki's attribution column, 4 bad lines among them
    lines = [f"{s}\t{t}\tCC-BY 2.0 (France) Attribution: tatoeba.org #{1000 + i}"
             for i, (s, t) in enumerate(sentence_pair(i) for i in range(16))]
    src, tgt = sentence_pair(99)
    bad = ["Bonjour tout le monde.", f"{src}\t", f"\t{tgt}", f"{src}\t   \tCC-BY 2.0"]  # one column, empty sides
    for k, b in enumerate(bad):
        lines.insert(4 * k + 2, b)
    (tmp / "pairs.tsv").write_text("\n".join(lines) + "\n")
    return Case([*_tiny(TINY_TRANSLATION), "data=tsv_pairs", f"data.path={tmp / 'pairs.tsv'}", "data.tokenizer=word",
                 "data.val_fraction=0.2", "data.test_fraction=0.2", "data.batch_size=4"],
                items=20, n_bad=4, names=[f"pairs.tsv' line {4 * k + 3}" for k in range(4)],
                kinds={"one column", "empty target", "empty source", "blank target"})


CASES = {"captioning": _captioning, "activity": _activity, "speech": _speech, "translation": _translation,
         "sentiment_imdb": _imdb, "sentiment_csv": _text_csv, "ner": _ner, "coco": _coco, "karpathy": _karpathy,
         "video_folder": _video_folder, "librispeech": _librispeech, "tsv_pairs": _tsv_pairs}
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


def _bad_tsv_encoding(tmp: Path):
    path = tmp / "fra.txt"  # an Anki export re-saved as Latin-1: every accented line is wrong, not one
    lines = [f"{s}\t{t}".encode() for s, t in map(sentence_pair, range(12))]
    lines[4] = "Coffee.\tCaf\u00e9.".encode("latin-1")
    path.write_bytes(b"\n".join(lines) + b"\n")
    return ([*_tiny(TINY_TRANSLATION), "data=tsv_pairs", f"data.path={path}", "data.tokenizer=word"],
            [f"'{path}' line 5 is not UTF-8", "iconv"])


FAIL_FAST = {"translation_encoding": _bad_parallel_encoding, "tsv_encoding": _bad_tsv_encoding, "ner_columns": _bad_conll_line,
             "charlm_encoding": _bad_text_file, "forecast_cell": _bad_series_cell,
             "forecast_encoding": _bad_series_encoding}


@pytest.mark.parametrize("case", FAIL_FAST)
def test_a_bad_line_where_skipping_is_unsafe_is_one_line_naming_it(case, tmp_path):
    overrides, expected = FAIL_FAST[case](tmp_path)
    with pytest.raises(UserError) as err:
        train(compose_train(tmp_path / "run", overrides))
    msg = str(err.value)
    assert "\n" not in msg and all(e in msg for e in expected), msg


@pytest.mark.parametrize("line, what", [(b"19-198-0007", "has an utterance id but no transcript"),
                                        ("19-198-0007 CAF\u00c9".encode("latin-1"), "is not UTF-8 text")])
def test_a_bad_librispeech_transcript_line_is_one_item_skipped_or_with_strict_one_line(tmp_path, line, what):
    root = write_librispeech(tmp_path, {"train-clean-100": 2})
    trans = root / "LibriSpeech" / "train-clean-100" / "19" / "198" / "19-198.trans.txt"
    trans.write_bytes(trans.read_bytes() + line + b"\n")  # line 3, after the chapter's two good ones
    out = read_librispeech(root, ["train-clean-100"])
    assert out.skipped == [("19-198.trans.txt:3", what)] and len(out.train) + len(out.val) == 4
    with pytest.raises(UserError) as err:
        read_librispeech(root, ["train-clean-100"], strict=True)
    assert str(err.value) == f"'{trans}' line 3 {what}: fix the line, or set data.strict=false to skip such lines"


def test_strict_fails_on_an_empty_manifest_transcript(tmp_path):
    write_audio(tmp_path / "a.wav")
    (tmp_path / "train.jsonl").write_text('{"audio": "a.wav", "text": "one"}\n{"audio": "a.wav", "text": "  "}\n')
    assert read_manifests(tmp_path / "train.jsonl").skipped == [("train.jsonl:2", "empty transcript")]
    with pytest.raises(UserError, match=r'^train\.jsonl:2 has an empty "text": give its transcript'):
        read_manifests(tmp_path / "train.jsonl", strict=True)
