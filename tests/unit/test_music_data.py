"""Music: event encoding, the synthetic tunes, the n-gram baseline, and the ABC / music21-corpus
readers on fixtures written in exactly the ABC format (many tunes a file, X: headers)."""
import json
import math
import random

import pytest

from tasks.music.datamodule import carve
from tasks.music.events import (
    BOS,
    FIRST_PITCH_ID,
    NO_EVENT,
    NOTE_OFF,
    Piece,
    fit_range,
    parse_pitch,
    skyline,
    to_events,
    to_notes,
)
from tasks.music.ngram import NGram
from tasks.music.predict import abc_text
from tasks.music.readers import (
    parse_abc_tune,
    read_abc,
    read_music21_corpus,
    split_tunes,
)
from tasks.music.synthetic import generate_melodies, make_piece
from tests.errors import user_error

TUNES = """%abc-2.1
% a Nottingham-style file: many tunes, each from its X: line
X: 1
T:Scale Up
M:4/4
L:1/8
K:G
GABc d2 e2|f4 g4|]

X: 2
T:Broken
M:4/4
L:1/4
K:C
C D [CE F|

X: 3
T:Waltz in D
M:3/4
L:1/4
K:D
"D"d2 f|"A7"e3|]
"""



def test_events_encode_notes_rests_and_holds_and_decode_back():
    notes = [(60, 0, 4), (62, 4, 6), (64, 8, 12)]  # a quarter, an eighth, an eighth rest, a quarter
    ev = to_events(notes, 48, 84)
    on = lambda p: FIRST_PITCH_ID + p - 48  # noqa: E731
    assert ev == [on(60), NO_EVENT, NO_EVENT, NO_EVENT, on(62), NO_EVENT, NOTE_OFF, NO_EVENT, on(64), NO_EVENT,
                  NO_EVENT, NO_EVENT]
    assert to_notes(ev, 48) == notes
    assert to_notes([BOS, *ev], 48) == [(p, s + 1, e + 1) for p, s, e in notes]  # BOS is a step of nothing


def test_skyline_keeps_the_top_voice_and_ranges_fold_by_octaves():
    chorale = [(60, 0, 8), (64, 0, 4), (67, 0, 4), (65, 4, 8), (48, 6, 8)]
    assert skyline(chorale) == [(67, 0, 4), (65, 4, 6), (48, 6, 8)]
    assert fit_range([(100, 0, 1), (96, 1, 2)], 48, 84) == [(64, 0, 1), (60, 1, 2)]  # centred: 98 -> 62
    assert fit_range([(30, 0, 1), (90, 1, 2)], 48, 84)[0][0] >= 48  # too wide: the outliers fold in


@pytest.mark.parametrize("name, midi", [("C4", 60), ("F#3", 54), ("Bb5", 82), ("a4", 69), ("67", 67)])
def test_pitch_names(name, midi):
    assert parse_pitch(name) == midi


def test_bad_pitch_name_is_one_line():
    assert "not a pitch" in user_error(parse_pitch, "H2") and "C4 E4 G4" in user_error(parse_pitch, "xyz")


def test_synthetic_tunes_are_seeded_and_repeat_their_phrases(tmp_path):
    a = json.loads((generate_melodies(tmp_path / "a", n_train=30, n_val=3, n_test=3, seed=5) / "melodies.json")
                   .read_text())
    b = json.loads((generate_melodies(tmp_path / "b", n_train=30, n_val=3, n_test=3, seed=5) / "melodies.json")
                   .read_text())
    assert a == b and [len(a[s]) for s in ("train", "val", "test")] == [30, 3, 3]
    for d in a["train"]:
        p = Piece.from_dict(d)
        bar = p.steps_per_bar
        assert p.notes[-1][2] == 16 * bar  # 16 bars
        phrase = lambda k: [(n[0], n[1] - 4 * k * bar) for n in p.notes if 4 * k * bar <= n[1] < 4 * (k + 1) * bar]  # noqa: E731
        body = lambda k: [n for n in phrase(k) if n[1] < 3 * bar]  # noqa: E731 - a phrase less its cadence bar
        assert body(3) in (body(1), body(2))  # the last phrase is one heard 4 or 8 bars before
        assert body(0) in (body(1), body(2))  # and so is the first


def test_ngram_is_a_distribution_and_learns_a_pattern():
    seqs = [[4, 5, 6, 4, 5, 6, 4, 5, 6]] * 20
    lm = NGram(4, 10).fit(seqs)
    for history in [(BOS, BOS, BOS), (4, 5, 6), (9, 9, 9)]:
        assert sum(lm.prob(history, w) for w in range(FIRST_PITCH_ID - 2, 10)) == pytest.approx(1.0)
    uniform = 9 * math.log(8)  # 8 events can occur: NO_EVENT, NOTE_OFF, 6 pitches
    assert lm.nll([4, 5, 6, 4, 5, 6, 4, 5, 6]) < 0.2 * uniform < lm.nll([9, 8, 7, 9, 8, 7, 9, 8, 7])


def test_abc_reader_reads_each_tune_and_skips_the_broken_one(tmp_path):
    path = tmp_path / "tunes.abc"
    path.write_text(TUNES, encoding="utf-8")
    assert [label for label, _ in split_tunes(TUNES)] == ["X:1 Scale Up", "X:2 Broken", "X:3 Waltz in D"]
    pieces, skipped = read_abc(path)
    assert [p.title for p in pieces] == ["X:1 Scale Up", "X:3 Waltz in D"]
    assert pieces[0].notes[:3] == [(67, 0, 2), (69, 2, 4), (71, 4, 6)]  # G A B eighths, in G major
    assert (pieces[0].sharps, pieces[1].sharps, pieces[1].numerator, pieces[1].denominator) == (1, 2, 3, 4)
    assert pieces[1].notes == [(74, 0, 8), (78, 8, 12), (76, 12, 24)]  # chord symbols are not notes
    assert len(skipped) == 1 and skipped[0][0] == "tunes.abc X:2 Broken" and "chord" in skipped[0][1]
    assert "X:2 Broken" in user_error(read_abc, path, strict=True)


def test_abc_folder_counts_an_empty_file_and_reports_bad_paths(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.abc").write_text(TUNES, encoding="latin-1")
    (tmp_path / "empty.abc").write_text("")
    pieces, skipped = read_abc(tmp_path)
    assert len(pieces) == 2 and [s[0] for s in skipped] == ["empty.abc", "sub/a.abc X:2 Broken"]
    assert "does not exist" in user_error(read_abc, tmp_path / "nope.abc")
    (tmp_path / "none").mkdir()
    assert "no .abc files" in user_error(read_abc, tmp_path / "none")


def test_to_c_and_carving():
    d_major = Piece([(62, 0, 4), (66, 4, 8)], sharps=2)
    assert d_major.to_c().notes == [(60, 0, 4), (64, 4, 8)]
    assert Piece([(63, 0, 4)], sharps=-3).to_c().notes == [(60, 0, 4)]  # E-flat major -> C, the nearer way
    train, val, test = carve(list(range(50)), 0.1, 0.2, seed=0)
    assert (len(train), len(val), len(test)) == (35, 5, 10) and sorted(train + val + test) == list(range(50))
    assert carve(list(range(50)), 0.1, 0.2, seed=0) == (train, val, test)


def test_abc_writer_round_trips_through_music21():
    rng = random.Random(1)
    notes, t = [], 0
    for _ in range(40):
        dur, gap = rng.choice([1, 2, 3, 4, 6, 8]), rng.choice([0, 0, 1, 2])
        notes.append((rng.randint(48, 84), t + gap, t + gap + dur))
        t += gap + dur
    for metre in [(4, 4), (3, 4), (6, 8)]:
        text = abc_text(notes, *metre, "round trip")
        assert text.startswith("X:1\nT:round trip\nM:") and "\nL:1/16\n" in text and "\nK:C\n" in text
        back = parse_abc_tune(text, "t")
        assert back.notes == notes and (back.numerator, back.denominator) == metre  # ties, rests, accidentals


def test_music21_corpus_collections_are_read_and_cached(tmp_path):
    pieces, skipped = read_music21_corpus("bach_chorales", tmp_path, limit=1)  # ABC collections go through read_abc
    assert len(pieces) == 1 and not skipped
    assert len({s for _, s, _ in pieces[0].notes}) < len(pieces[0].notes)  # four voices: shared onsets
    assert (tmp_path / "bach_chorales-1" / "pieces.json").is_file()
    again, _ = read_music21_corpus("bach_chorales", tmp_path, limit=1)  # from the cache
    assert [p.to_dict() for p in again] == [p.to_dict() for p in pieces]
    assert "use one of bach_chorales" in user_error(read_music21_corpus, "beatles", tmp_path)


def test_synthetic_piece_has_a_key_signature_of_its_key():
    p = make_piece(random.Random(3), 0)
    assert -5 <= p.sharps <= 6
    assert {n[0] % 12 for n in p.to_c().notes} <= {0, 2, 4, 5, 7, 9, 11, 8}  # C major / A minor (+ G#)
