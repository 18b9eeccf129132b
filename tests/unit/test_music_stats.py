"""Music statistics on hand-built pieces with known values; the held-out pieces of a batch read back
as the notes they came from; samples for the W&B table are seeded and render as suite-predict does."""
import math

import numpy as np
import pytest
import torch
from omegaconf import OmegaConf

from suite.config import CONF_DIR
from tasks.music.events import MusicMeta, skyline, to_events
from tasks.music.frames import dense, to_frames
from tasks.music.module import MusicModule
from tasks.music.samples import generate, sample_table
from tasks.music.stats import STATS, generated, held_out, mean_stats, piece_stats

C_MAJOR = [60, 62, 64, 65, 67, 69, 71, 72]


def quarters(pitches, start=0):
    return [(p, start + 4 * i, start + 4 * i + 4) for i, p in enumerate(pitches)]


def test_a_c_major_scale_is_all_in_scale_with_no_empty_beat_or_repeat():
    got = piece_stats(quarters(C_MAJOR), 32, 16)
    # 8 notes over 7 classes, C twice: entropy -(1/4 log2 1/4 + 6 * 1/8 log2 1/8) = 2.75 bits
    assert got == pytest.approx({"pitch_classes": 7, "pitch_class_entropy": 2.75, "in_scale": 1.0, "polyphony": 1.0,
                                 "empty_beats": 0.0, "bar_repetition": 0.0})


def test_a_chromatic_scale_fits_seven_of_twelve_in_one_key():
    got = piece_stats(quarters(range(60, 72)), 48, 16)
    assert got["pitch_classes"] == 12 and got["in_scale"] == pytest.approx(7 / 12)
    assert got["pitch_class_entropy"] == pytest.approx(math.log2(12))


def test_a_silent_bar_is_empty_and_a_returning_bar_repeats():
    bar = quarters([60, 64, 67, 64])
    notes = bar + [(p, s + 32, e + 32) for p, s, e in bar]  # bar 1, a silent bar 2, bar 1 again as bar 3
    got = piece_stats(notes, 48, 16)
    assert got["empty_beats"] == pytest.approx(4 / 12)  # bar 2's four beats, and none of the others
    assert got["bar_repetition"] == pytest.approx(1 / 2)  # of the two bars heard, the second repeats the first
    # a note ending on a beat leaves the next beat empty (muspy's empty_beat_rate would count it)
    assert piece_stats([(60, 0, 4)], 8, 8)["empty_beats"] == pytest.approx(1 / 2)


def test_a_held_note_is_not_a_repeated_note_and_a_note_held_into_a_bar_counts_there():
    held, repeated = [(60, 0, 16)], quarters([60] * 4, start=16)
    assert piece_stats(held + repeated, 32, 16)["bar_repetition"] == 0.0
    assert piece_stats(quarters([60] * 4) + repeated, 32, 16)["bar_repetition"] == 0.5
    # bar 2 opens with a C tied over from bar 1, bar 3 with a C struck: not the same bar
    tail = quarters([62, 64, 65], start=20) + quarters([60, 62, 64, 65], start=32)
    assert piece_stats([(67, 0, 12), (60, 12, 20)] + tail, 48, 16)["bar_repetition"] == 0.0
    assert piece_stats([(67, 0, 12), (60, 16, 20)] + tail, 48, 16)["bar_repetition"] == pytest.approx(1 / 3)


def test_polyphony_counts_pitches_over_the_steps_that_sound():
    chord = [(60, 0, 16), (64, 0, 16), (67, 0, 8)]  # three pitches for 8 steps, two for 8
    got = piece_stats(chord + [(72, 24, 32)], 32, 16)  # one pitch for 8 more; steps 16-23 are silent
    assert got["polyphony"] == pytest.approx((3 * 8 + 2 * 8 + 8) / 24)
    assert got["empty_beats"] == pytest.approx(2 / 8)


def test_notes_past_the_length_are_cut_and_a_silent_piece_defines_only_what_it_can():
    assert piece_stats(quarters(C_MAJOR), 16, 16)["pitch_classes"] == 4  # C D E F: the rest starts past step 16
    silent = piece_stats([], 32, 16)
    assert silent["empty_beats"] == 1.0 and silent["pitch_classes"] == 0
    assert all(math.isnan(silent[k]) for k in ("in_scale", "polyphony", "bar_repetition"))
    means = mean_stats([silent, piece_stats(quarters(C_MAJOR), 32, 16)], "gen_")
    assert means["gen_in_scale"] == 1.0 and means["gen_empty_beats"] == pytest.approx(0.5)
    assert set(mean_stats([silent], "data_")) == {"data_empty_beats", "data_pitch_classes"}


def _meta(representation="events", frame_steps=1):
    return MusicMeta(data={}, min_pitch=48, max_pitch=84, representation=representation, frame_steps=frame_steps,
                     marginal=[0.05] * 88 if representation == "pianoroll" else [])


def test_held_out_pieces_read_back_from_a_batch_in_their_own_metre_and_cut_to_the_length():
    waltz = quarters([60, 64, 67] * 4)  # 4 bars of 3/4, each the same
    tune = quarters(C_MAJOR * 6)  # 48 quarter notes: past the 128 steps compared
    seqs = [to_events(waltz, 48, 84), to_events(tune, 48, 84)]
    y = torch.zeros(2, max(map(len, seqs)), dtype=torch.long)
    for i, s in enumerate(seqs):
        y[i, :len(s)] = torch.tensor(s)
    batch = {"y": y, "lengths": torch.tensor([len(s) for s in seqs]), "bars": [12, 16]}
    got = held_out(batch, _meta(), length=128)
    assert got[0] == pytest.approx(piece_stats(waltz, 48, 12)) and got[0]["bar_repetition"] == pytest.approx(3 / 4)
    assert got[1] == pytest.approx(piece_stats(tune, 128, 16)) and got[1]["bar_repetition"] == pytest.approx(6 / 8)
    # frames of 4 steps (poly_rnn): the chord's notes come back in 16th steps
    chords = [(60, 0, 8), (64, 0, 8), (67, 0, 8), (65, 8, 16), (69, 8, 16)]
    frames = dense(to_frames(chords, 4)[0])[None]  # (1, 4, 88)
    (poly,) = held_out({"y": frames, "lengths": torch.tensor([4]), "bars": [16]}, _meta("pianoroll", 4))
    assert poly == pytest.approx(piece_stats(chords, 16, 16)) and poly["polyphony"] == pytest.approx(2.5)


def _module(representation, frame_steps=1):
    name = "poly_rnn" if representation == "pianoroll" else "melody_rnn"
    model = OmegaConf.to_container(OmegaConf.load(CONF_DIR / "model" / f"{name}.yaml"))
    torch.manual_seed(0)
    return MusicModule({**model, "embed_size": 8, "hidden_size": 16}, _meta(representation, frame_steps))


@pytest.mark.parametrize("representation,frame_steps", [("events", 1), ("pianoroll", 4)])
def test_samples_are_seeded_and_render_as_predict_renders_them(representation, frame_steps):
    from tasks.music.readers import parse_abc_tune

    module = _module(representation, frame_steps)
    state = torch.get_rng_state()
    first = generated(module, pieces=3, length=32)
    assert first == generated(module, pieces=3, length=32) and set(first[0]) == set(STATS)
    assert torch.equal(state, torch.get_rng_state())  # the global random state is left as it was
    rows = sample_table(module, n=2, length=32)
    assert [r["seed"] for r in rows] == [0, 1] and rows[0]["abc"] != rows[1]["abc"]
    assert rows[0]["pianoroll"].size == rows[1]["pianoroll"].size  # one size: W&B panels want it
    for row, again in zip(rows, sample_table(module, n=2, length=32)):
        assert np.array_equal(row["audio"], again["audio"]) and row["abc"] == again["abc"]
        assert row["audio"].dtype == np.float32 and np.abs(row["audio"]).max() == pytest.approx(0.8)  # at SAMPLE_RATE
    notes, _, steps = generate(module, [], 32 // frame_steps, seed=0)  # what suite-predict draws with seed=0
    assert steps == 32 // frame_steps and parse_abc_tune(rows[0]["abc"], "sample").notes == skyline(notes)
