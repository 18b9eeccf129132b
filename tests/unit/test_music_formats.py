"""Music: piano-roll frames and their baseline, the pianoroll (.json / restricted .pkl) and
midi_folder readers on fixtures written in exactly those formats, and transposition."""
import json
import math
import os
import pickle

import pytest
import torch

from tasks.music.datamodule import MusicDataModule
from tasks.music.events import Piece
from tasks.music.frames import KEYS, LOWEST, Marginal, dense, frames_to_notes, to_frames
from tasks.music.keys import estimate_sharps, midi_key_sharps
from tasks.music.midi_folder import read_midi_folder
from tasks.music.pianoroll_file import read_pianoroll
from tests.errors import user_error

ROLLS = {  # MIDI pitches, as the Boulanger-Lewandowski files hold them
    "train": [[[60, 64, 67], [60, 64, 67], [], [62, 65, 71]], [[48, 60], [20, 50, 109], [50]]],
    "valid": [[[60, 64, 67], [59, 62, 67]]],
    "test": [[[57, 60, 64], [57, 60, 64], [], []]],  # a closing silence counts as frames
}



class Payload:
    """What an attacker's pickle would build: os.system called while loading."""

    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_frames_sample_the_grid_and_round_trip_to_notes():
    notes = [(60, 0, 8), (64, 0, 4), (67, 2, 4), (72, 4, 5), (20, 0, 4)]  # 67 starts off the beat; 20 is off the piano
    frames, dropped = to_frames(notes, 4)  # quarter-note frames, sampled at each quarter's start
    assert frames == [[60 - LOWEST, 64 - LOWEST], [60 - LOWEST, 72 - LOWEST]] and dropped == 1
    sixteenths, _ = to_frames(notes[:4], 1, steps=10)  # a 16th grid loses nothing; steps keep the closing silence
    assert len(sixteenths) == 10 and sixteenths[9] == [] and sixteenths[2] == sorted([60 - LOWEST, 64 - LOWEST,
                                                                                       67 - LOWEST])
    assert frames_to_notes(sixteenths) == sorted(notes[:4], key=lambda n: (n[1], -n[0]))
    assert frames_to_notes([[0], [0], [], [0]], frame_steps=2) == [(LOWEST, 0, 4), (LOWEST, 6, 8)]


def test_marginal_baseline_is_the_per_key_bernoulli_of_training_frequencies():
    frames = [[[0, 1], [0], []], [[0]]]  # key 0 in 3 of 4 frames, key 1 in 1, the rest never
    base = Marginal.fit(frames)
    assert base.probs[0].item() == pytest.approx(3.5 / 5) and base.probs[1].item() == pytest.approx(1.5 / 5)
    y = dense([[0], []])  # (2, 88)
    p = base.probs
    expected = -(math.log(p[0]) + sum(math.log(1 - p[k]) for k in range(1, KEYS)))
    assert base.nll(y)[0].item() == pytest.approx(expected)
    assert base.nll(y)[1].item() == pytest.approx(-sum(math.log(1 - p[k]) for k in range(KEYS)))
    assert torch.sigmoid(torch.tensor(base.logits())).tolist() == pytest.approx(p.tolist())


@pytest.mark.parametrize("suffix", [".json", ".pkl"])
def test_pianoroll_reader_reads_both_formats_drops_off_keyboard_pitches(tmp_path, suffix):
    path = tmp_path / f"rolls{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(ROLLS))
    else:  # the published files are protocol-2 pickles of lists; frames sometimes tuples
        rolls = {k: [[tuple(f) for f in piece] for piece in v] for k, v in ROLLS.items()}
        path.write_bytes(pickle.dumps(rolls, protocol=2))
    splits, skipped, notes = read_pianoroll(path)
    assert [len(splits[s]) for s in ("train", "val", "test")] == [2, 1, 1] and not skipped
    assert any("dropped 2 pitches" in n for n in notes)  # 20 and 109
    for split, key in (("train", "train"), ("val", "valid"), ("test", "test")):
        for piece, raw in zip(splits[split], ROLLS[key]):
            frames, _ = to_frames(piece.notes, 1, piece.steps)
            assert frames == [sorted(p - LOWEST for p in f if 21 <= p <= 108) for f in raw]


def test_pickle_holding_an_object_is_refused_in_one_line(tmp_path):
    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps({"train": [[[60]]], "valid": [], "test": [Payload()]}))
    msg = user_error(read_pianoroll, path)
    assert "refused" in msg and "system" in msg and "JSON" in msg
    (tmp_path / "array.pkl").write_bytes(pickle.dumps({"train": [[[60]]], "test": [[[range(3)]]]}))
    assert "builtins.range" in user_error(read_pianoroll, tmp_path / "array.pkl")
    (tmp_path / "junk.pkl").write_bytes(b"\x80\x04not a pickle")
    assert "not a readable pickle" in user_error(read_pianoroll, tmp_path / "junk.pkl")


def test_pianoroll_malformed_pieces_are_skipped_and_counted_or_fatal(tmp_path):
    path = tmp_path / "rolls.json"
    path.write_text(json.dumps({"train": [[[60]], [["C4"]], []], "valid": [[[62]]], "test": [[[64]]]}))
    splits, skipped, _ = read_pianoroll(path)
    assert len(splits["train"]) == 1 and [s[0] for s in skipped] == ["train[1]", "train[2]"]
    assert "train[1]" in user_error(read_pianoroll, path, strict=True)
    (tmp_path / "list.json").write_text("[1, 2]")
    assert "train/valid/test" in user_error(read_pianoroll, tmp_path / "list.json")
    assert "does not exist" in user_error(read_pianoroll, tmp_path / "gone.json")


def _write_midi(path, melody, tempo=90.0, key=None, metre=(4, 4)):
    """A one-track file of quarter notes at `tempo` (its ticks, not seconds, give the grid)."""
    import pretty_midi

    pm = pretty_midi.PrettyMIDI(initial_tempo=tempo)
    beat = 60.0 / tempo
    inst = pretty_midi.Instrument(program=0, name="Melody")
    inst.notes = [pretty_midi.Note(velocity=80, pitch=p, start=i * beat, end=(i + 1) * beat) for i, p in enumerate(melody)]
    pm.instruments.append(inst)
    if key is not None:
        pm.key_signature_changes.append(pretty_midi.KeySignature(key, 0.0))
    pm.time_signature_changes.append(pretty_midi.TimeSignature(*metre, 0.0))
    pm.write(str(path))


def test_midi_folder_reads_the_grid_and_skips_corrupt_files(tmp_path):
    (tmp_path / "set").mkdir()
    _write_midi(tmp_path / "set" / "d_major.mid", [62, 66, 69, 74], tempo=90, key=2, metre=(3, 4))
    _write_midi(tmp_path / "set" / "fast.MIDI", [60, 62, 64], tempo=200)
    (tmp_path / "set" / "corrupt.mid").write_bytes(b"MThd\x00\x00\x00\x06garbage-not-midi")
    (tmp_path / "set" / "empty.mid").write_bytes(b"")
    groups, skipped = read_midi_folder(tmp_path / "set")
    pieces = {p.title: p for p in groups["all"]}
    assert pieces["d_major"].notes == [(62, 0, 4), (66, 4, 8), (69, 8, 12), (74, 12, 16)]  # quarters at any tempo
    assert pieces["fast"].notes == [(60, 0, 4), (62, 4, 8), (64, 8, 12)]
    assert (pieces["d_major"].sharps, pieces["d_major"].numerator, pieces["fast"].sharps) == (2, 3, None)
    assert sorted(s[0] for s in skipped) == ["corrupt.mid", "empty.mid"]
    assert "corrupt.mid" in user_error(read_midi_folder, tmp_path / "set", strict=True)
    by_track = dict(read_midi_folder(tmp_path / "set", track="bass")[1])
    assert "no track named like 'bass'" in by_track["fast.MIDI"] and len(read_midi_folder(tmp_path / "set", track="melo")[0]["all"]) == 2
    assert "not a folder" in user_error(read_midi_folder, tmp_path / "nope")


def test_midi_folder_keeps_split_folders_and_the_datamodule_carves_val(tmp_path):
    for split, n in (("train", 6), ("test", 2)):
        (tmp_path / split).mkdir()
        for i in range(n):
            _write_midi(tmp_path / split / f"{i}.mid", [60 + i, 64 + i, 67 + i, 72 + i])
    (tmp_path / "train" / "broken.mid").write_bytes(b"not midi at all")
    data = {"name": "midi_folder", "root": str(tmp_path), "track": None, "val_fraction": 0.2, "test_fraction": 0.1,
            "seed": 0, "strict": False, "transpose": "none", "min_pitch": 48, "max_pitch": 84, "max_events": 512,
            "frame_steps": 4, "ngram_order": 2, "batch_size": 4, "representation": "pianoroll"}
    dm = MusicDataModule(data)
    dm.setup("fit")
    assert [len(dm.items[s]) for s in ("train", "val", "test")] == [5, 1, 2] and dm.skipped_at_setup == 1
    assert dm.items["test"][0]["seq"] == [[60 - LOWEST], [64 - LOWEST], [67 - LOWEST], [72 - LOWEST]]


def test_key_signatures_and_transposition_round_trip():
    assert [midi_key_sharps(k) for k in (0, 7, 2, 5, 12 + 9, 12 + 4, 12 + 0)] == [0, 1, 2, -1, 0, 1, -3]
    e_flat = Piece([(63, 0, 4), (67, 4, 8), (70, 8, 12), (74, 12, 14), (75, 14, 16)], sharps=-3)
    in_c = e_flat.to_c()
    assert in_c.notes == [(60, 0, 4), (64, 4, 8), (67, 8, 12), (71, 12, 14), (72, 14, 16)] and in_c.sharps == 0
    assert in_c.transposed(3).notes == e_flat.notes  # and back
    g_major = [(67, 0, 8), (71, 8, 12), (74, 12, 16), (66, 16, 20), (69, 20, 24), (72, 24, 28), (67, 28, 40)]
    assert estimate_sharps(g_major) == 1  # no key signature: music21's estimate
    assert Piece(g_major, sharps=None).to_c().notes == [(p + 5, s, e) for p, s, e in g_major]  # G up to C: nearer


@pytest.mark.parametrize("representation", ["pianoroll", "events"])
def test_augment_transpose_shifts_training_chunks_within_range(tmp_path, representation):
    path = tmp_path / "rolls.json"
    melody = [[60], [62], [64], [65], [67], [65], [64], [62]]  # 8 steps: long enough for melody_rnn
    path.write_text(json.dumps({"train": [[[22, 30], [23], [108]] * 3, [[60, 64], [62]] * 4], "valid": [melody],
                                "test": [melody]}))
    data = {"name": "pianoroll", "path": str(path), "val_fraction": 0.1, "test_fraction": 0.0, "seed": 0,
            "strict": False, "transpose": "none", "augment_transpose": 3, "min_pitch": 48, "max_pitch": 84,
            "max_events": 100, "frame_steps": 1, "ngram_order": 2, "batch_size": 4, "representation": representation}
    dm = MusicDataModule(data)
    dm.setup("fit")
    first, second = dm.items["train"]
    assert "shift" not in dm.items["val"][0]  # training only
    if representation == "pianoroll":
        assert first["shift"] == (-1, 0) and second["shift"] == (-3, 3)  # A#0 and C8 bound the first piece
    torch.manual_seed(0)
    shifts = set()
    for _ in range(30):
        batch = dm.collate([second])
        y = batch["y"][0]
        if representation == "pianoroll":
            k = int(torch.nonzero(y[0]).min()) - (60 - LOWEST)
            assert torch.equal(y, torch.roll(dense(second["seq"]), k, dims=1))  # every frame moved by the same k
        else:
            k = int(y[0]) - second["seq"][0]
            assert y.tolist() == [e + k if e >= 4 else e for e in second["seq"]]
        shifts.add(k)
    assert shifts <= set(range(-3, 4)) and len(shifts) > 3
