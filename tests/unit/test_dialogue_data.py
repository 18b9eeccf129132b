"""Dialogue readers on fixtures in the real formats, the synthetic dialogues, contexts and metrics."""
import random

import pytest

from suite.errors import UserError
from tasks.dialogue.data import (VALUES, carve, examples, read_chatterbot, read_cornell, read_dailydialog, read_jsonl,
                                 synthetic_dialogue)
from tasks.dialogue.meta import ME, YOU, DialogueMeta
from tasks.dialogue.module import distinct, slot_hits
from tests.fixtures.dialogue_formats import dialogue, write_cornell, write_dailydialog, write_jsonl

CARVE = dict(val_fraction=0.2, test_fraction=0.2, seed=0, strict=False)


@pytest.mark.parametrize("layout", ["split_folders", "root_files"])
def test_dailydialog_split_files_drop_dialogues_repeated_in_a_later_split(tmp_path, layout):
    written = write_dailydialog(tmp_path, layout)
    splits = read_dailydialog(tmp_path, **CARVE)
    assert [d["turns"] for d in splits.train] == written["train"]
    assert [d["turns"] for d in splits.val] == [dialogue(100)]  # dialogue(0) is in train: dropped
    assert [d["turns"] for d in splits.test] == [dialogue(200), dialogue(201, 4)]
    assert splits.uncounted == 2 and any("earlier split" in n for n in splits.notes)


def test_dailydialog_text_only_is_carved_and_keeps_every_dialogue_once(tmp_path):
    written = write_dailydialog(tmp_path, "text_only", n=20)
    splits = read_dailydialog(tmp_path, **CARVE)
    got = [d["turns"] for s in (splits.train, splits.val, splits.test) for d in s]
    assert sorted(map(tuple, got)) == sorted(map(tuple, written["all"]))
    assert len(splits.val) == 4 and len(splits.test) == 4 and "carved" in splits.notes[0]
    assert read_dailydialog(tmp_path, **CARVE).val == splits.val  # seeded


def test_dailydialog_folder_without_files_is_one_clear_line(tmp_path):
    with pytest.raises(UserError, match="dialogues_text.txt"):
        read_dailydialog(tmp_path, **CARVE)


def test_cornell_joins_lines_by_id_in_iso_8859_1_and_skips_a_broken_conversation(tmp_path):
    written = write_cornell(tmp_path)
    splits = read_cornell(tmp_path, **CARVE)
    got = sorted(tuple(d["turns"]) for s in (splits.train, splits.val, splits.test) for d in s)
    assert got == sorted(map(tuple, written)) and "très" in got[0][0]
    assert len(splits.skipped) == 1 and "L99999" in splits.skipped[0][1]
    with pytest.raises(UserError, match="movie_conversations.txt:13.*L99999"):
        read_cornell(tmp_path, **{**CARVE, "strict": True})


def test_jsonl_broken_line_is_skipped_and_counted_or_fatal_under_strict(tmp_path):
    path = tmp_path / "d.jsonl"
    written = write_jsonl(path, broken_line=4)
    splits = read_jsonl({"train": str(path)}, **CARVE)
    assert sorted(tuple(d["turns"]) for s in (splits.train, splits.val, splits.test) for d in s) == sorted(map(tuple, written))
    assert splits.skipped == [("d.jsonl:4", "not JSON (Expecting ',' delimiter)")]
    with pytest.raises(UserError, match=r"d\.jsonl:4: not JSON"):
        read_jsonl({"train": str(path)}, **{**CARVE, "strict": True})


def test_jsonl_speaker_objects_empty_turns_and_missing_file(tmp_path):
    path = tmp_path / "d.jsonl"
    write_jsonl(path, n=3, speakers=True)
    with open(path, "a") as f:
        f.write('{"turns": ["hello", "", "  ", "bye"]}\n{"turns": ["alone", ""]}\n')
    splits = read_jsonl({"train": str(path)}, val_fraction=0, test_fraction=0, seed=0, strict=False)
    assert splits.train[0]["speakers"] == ["s0", "s1", "s0"]
    assert splits.train[-1]["turns"] == ["hello", "bye"] and splits.uncounted == 3  # empty turns counted
    assert splits.skipped == [("d.jsonl:5", "fewer than two non-empty turns")]
    with pytest.raises(UserError, match="data.train.*does not exist"):
        read_jsonl({"train": str(tmp_path / "nope.jsonl")}, **CARVE)
    with pytest.raises(UserError, match="needs data.train"):
        read_jsonl({"train": "???"}, **CARVE)


def test_chatterbot_reads_the_installed_corpus_by_topic():
    splits = read_chatterbot("english", ["greetings", "ai"], val_fraction=0.1, test_fraction=0.1, seed=0, strict=False)
    everything = [d for s in (splits.train, splits.val, splits.test) for d in s]
    assert len(everything) > 50 and ["Hello", "Hi"] in [d["turns"] for d in everything]
    train_openers = {d["turns"][0].lower() for d in splits.train}
    assert not any(d["turns"][0].lower() in train_openers for d in splits.test)  # a test question is new
    with pytest.raises(UserError, match="no chatterbot topic 'nonsense'.*greetings"):
        read_chatterbot("english", ["nonsense"], **CARVE)


def test_carve_keeps_train_non_empty_and_rejects_bad_fractions():
    ds = [{"turns": [str(i), "x"]} for i in range(3)]
    train, val, test = carve(ds, 0.5, 0.4, 0)
    assert train and len(train) + len(val) + len(test) == 3
    with pytest.raises(UserError, match="val_fraction"):
        carve(ds, 1.5, 0.0, 0)


def test_synthetic_clarification_needs_the_history():
    """The reply to a clarification names slots that only earlier turns state."""
    d = synthetic_dialogue(random.Random(3), 0)
    k = d["acts"].index("clarify")
    slots, asked = d["slots"][k], d["turns"][k - 1]
    assert d["speakers"][k] == "bot" and len(slots) == 3
    assert sum(v in asked.split(" ") or v + "?" in asked or v + "." in asked for v in slots.values()) == 1
    assert all(v in VALUES[s] for s, v in slots.items())
    assert synthetic_dialogue(random.Random(3), 0) == d  # seeded


def test_examples_every_boundary_or_bot_turns_only():
    d = {"id": "x", "turns": ["a", "b", "c", "d"], "speakers": ["user", "bot", "user", "bot"]}
    assert [e["reply"] for e in examples([d], "all")] == ["b", "c", "d"]
    bot = examples([d], "bot")
    assert [(e["history"], e["reply"]) for e in bot] == [(["a"], "b"), (["a", "b", "c"], "d")]


def _meta(context_turns=1, max_turn=6, max_context=100):
    data = {"tokenizer": "word", "vocab_size": 100, "min_word_count": 1, "context_turns": context_turns,
            "max_turn_tokens": max_turn, "max_context_tokens": max_context}
    return DialogueMeta.build(data, ["hi there", "a table for two", "what about friday ?"], {"day": {"friday"}})


def test_context_window_speaker_tokens_and_truncation():
    meta = _meta()
    v = meta.side.vocab
    ctx = meta.context(["hi there", "a table for two", "what about friday ?"])
    assert [v.itos[i] for i in ctx.flat] == [ME, "a", "table", "for", "two", YOU, "what", "about", "friday", "?"]
    assert [len(t) for t in ctx.turns] == [5, 5] and ctx.cut == 0
    long = meta.context(["two " * 10_000])
    assert len(long.flat) == 7 and long.cut == 10_000 - 6  # the turn keeps its last 6 tokens
    assert len(_meta(context_turns=0).context(["hi there", "what about friday ?"]).turns) == 1  # single turn
    assert DialogueMeta.from_dict(meta.to_dict()).context(["hi there"]).flat == meta.context(["hi there"]).flat


def test_slot_hits_and_distinct_on_known_values():
    lexicon = {"day": ["friday", "monday"], "time": ["5pm", "7pm"]}
    assert slot_hits({"a", "friday", "7pm"}, {"day": "friday", "time": "7pm"}, lexicon) == [True, True]
    assert slot_hits({"friday", "monday", "5pm"}, {"day": "friday", "time": "7pm"}, lexicon) == [False, False]
    assert distinct([["a", "b", "a"], ["a", "b"]], 1) == pytest.approx(2 / 5)
    assert distinct([["a", "b", "a"], ["a", "b"]], 2) == pytest.approx(2 / 3)
