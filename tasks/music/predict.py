"""suite-predict for music: sample events (melody_rnn) or piano-roll frames (poly_rnn) after an
optional primer; write .mid, .abc, .wav, .png.

The primer is a pitch list ("C4 E4 G4", each a quarter note), a .mid or an .abc file (its top
voice for melody_rnn, every voice for poly_rnn), or nothing. Same seed, same music. Writers use
pretty_midi (MIDI and its sine-wave synthesizer, no system library) and matplotlib; the ABC text
is written here (monophonic: a poly_rnn sample's .abc holds its top voice).
"""
from __future__ import annotations

import re
import wave
from pathlib import Path

import numpy as np
import torch
from omegaconf import DictConfig

from suite.errors import UserError
from tasks.music.events import STEPS_PER_QUARTER, fit_range, parse_pitch, skyline, to_events, to_notes
from tasks.music.frames import dense, frames_to_notes, to_frames

MAX_STEPS = 100_000  # events; more is almost surely a typo (an hour of music at 120 bpm is 28 800)
BPM = 120  # tempo of the written files: a 16th step lasts 0.125 s
SAMPLE_RATE = 22050  # the .wav; pretty_midi's synthesizer is sine waves, CD rate adds nothing
LETTERS = [("C", ""), ("C", "^"), ("D", ""), ("D", "^"), ("E", ""), ("F", ""), ("F", "^"), ("G", ""), ("G", "^"),
           ("A", ""), ("A", "^"), ("B", "")]


# --- primers ------------------------------------------------------------------------------------
def _midi_notes(path: Path) -> list[tuple[int, int, int]]:
    from tasks.music.midi_folder import midi_notes

    try:
        return midi_notes(path)[0]  # on the 16th grid in score time, as data=midi_folder reads files
    except Exception as err:  # noqa: BLE001 - mido raises many kinds on a corrupt file
        raise UserError(f"primer {path} is not a readable MIDI file ({type(err).__name__}): give a valid .mid, "
                        "an .abc file or pitch names like \"C4 E4 G4\"") from None


def _abc_notes(path: Path) -> list[tuple[int, int, int]]:
    from tasks.music.readers import read_abc_files

    pieces, _ = read_abc_files([path], strict=True)  # a bad tune is one line naming it
    return pieces[0].notes


def primer_notes(spec: str) -> list[tuple[int, int, int]]:
    """The primer's notes (pitch, start, end) in 16th steps, starting at step 0 (every voice)."""
    spec = str(spec or "").strip()
    if not spec:
        return []
    suffix = Path(spec).suffix.lower()
    if suffix in (".mid", ".midi", ".abc"):
        path = Path(spec).expanduser()
        if not path.is_file():
            raise UserError(f"primer file {spec} does not exist: give a .mid or .abc file, or pitch names")
        if path.stat().st_size == 0:
            raise UserError(f"primer file {spec} is empty: give a .mid or .abc file with notes, or pitch names")
        notes = _midi_notes(path) if suffix != ".abc" else _abc_notes(path)
        if not notes:
            raise UserError(f"primer file {spec} has no notes: give one with a melody, or pitch names")
    else:
        pitches = [parse_pitch(p) for p in re.split(r"[\s,]+", spec) if p]
        q = STEPS_PER_QUARTER
        notes = [(p, i * q, (i + 1) * q) for i, p in enumerate(pitches)]  # quarter notes
    first = min(s for _, s, _ in notes)
    return [(p, s - first, e - first) for p, s, e in notes]  # the primer starts at once


def primer_events(spec: str, lo: int, hi: int) -> list[int]:
    """melody_rnn's primer: the top voice as events, moved by octaves into [lo, hi]."""
    notes = primer_notes(spec)
    return to_events(fit_range(skyline(notes), lo, hi), lo, hi) if notes else []


# --- writers ------------------------------------------------------------------------------------
def write_midi(notes, path: Path):
    import pretty_midi

    step = 60.0 / BPM / STEPS_PER_QUARTER
    pm = pretty_midi.PrettyMIDI(initial_tempo=BPM)
    piano = pretty_midi.Instrument(program=0, name="melody")
    piano.notes = [pretty_midi.Note(velocity=90, pitch=p, start=s * step, end=e * step) for p, s, e in notes]
    pm.instruments.append(piano)
    pm.write(str(path))
    return pm


def _abc_pitch(pitch: int) -> tuple[str, str]:
    """(letter with octave marks, accidental) in ABC: C is middle C (60), c the octave above."""
    letter, accidental = LETTERS[pitch % 12]
    octave = pitch // 12 - 1
    name = letter.lower() + "'" * (octave - 5) if octave >= 5 else letter + "," * (4 - octave)
    return name, accidental


def abc_text(notes, numerator: int, denominator: int, title: str) -> str:
    """An ABC tune (L:1/16, K:C, every sharp written) of monophonic notes; notes crossing a bar line are tied."""
    bar = max(1, round(numerator * 16 / denominator))
    timeline, t = [], 0  # (pitch or None for a rest, start, end), gap-free
    for p, s, e in notes:
        if s > t:
            timeline.append((None, t, s))
        timeline.append((p, s, e))
        t = e
    body, sharpened, tokens = [], set(), []
    for pitch, s, e in timeline:
        while s < e:
            cut = min(e, (s // bar + 1) * bar)  # notes do not cross bar lines: split and tie
            length = "" if cut - s == 1 else str(cut - s)
            if pitch is None:
                tokens.append("z" + length)
            else:
                name, acc = _abc_pitch(pitch)
                # every sharp is written (music21 does not carry one to a tied or later note of the bar);
                # a natural is written where the same note was sharp earlier in the bar (ABC's bar rule)
                mark = acc or ("=" if name in sharpened else "")
                if acc:
                    sharpened.add(name)
                tokens.append(mark + name + length + ("-" if cut < e else ""))
            s = cut
            if s % bar == 0:
                tokens.append("|")
                sharpened = set()
    if not tokens:
        tokens = [f"z{bar}", "|"]  # a silent sample is a bar's rest
    if tokens[-1] != "|":
        tokens.append("|")
    tokens[-1] = "|]"
    for i in range(0, len(tokens), 24):
        body.append(" ".join(tokens[i:i + 24]))
    header = ["X:1", f"T:{title}", f"M:{numerator}/{denominator}", "L:1/16", f"Q:1/4={BPM}", "K:C"]
    return "\n".join(header + body) + "\n"


def write_wav(pm, path: Path) -> None:
    audio = pm.synthesize(fs=SAMPLE_RATE)  # sine waves: no system library, no soundfont
    if not audio.size:
        audio = np.zeros(SAMPLE_RATE)  # a silent sample is a second of silence
    peak = float(np.abs(audio).max()) or 1.0
    pcm = (audio / peak * 0.8 * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm.tobytes())


def write_png(notes, path: Path, primer_steps: int, steps_per_bar: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    end = max(e for _, _, e in notes)
    fig, ax = plt.subplots(figsize=(min(24, 4 + end / 32), 4))
    for p, s, e in notes:
        ax.broken_barh([(s, e - s)], (p - 0.4, 0.8), color="tab:gray" if s < primer_steps else "tab:blue")
    for x in range(0, end + 1, steps_per_bar):
        ax.axvline(x, color="0.85", linewidth=0.5, zorder=0)
    ax.set_xlabel("16th steps (grey: primer)")
    ax.set_ylabel("MIDI pitch")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def sample_notes(module, cfg: DictConfig, steps: int, temperature: float, top_k: int
                 ) -> tuple[list[tuple[int, int, int]], int, int]:
    """(notes in 16th steps, the primer's length in 16th steps, time steps written: events or frames)."""
    meta = module.meta
    spec = str(cfg.primer or "") or str(cfg.get("input") or "")
    generator = torch.Generator().manual_seed(int(cfg.seed))  # the same command writes the same music
    if meta.representation == "pianoroll":
        fs = meta.frame_steps
        primer, _ = to_frames(primer_notes(spec), fs)  # every voice; keys off the piano are left out
        frames = dense(primer)  # (P, 88)
        frames = torch.cat([frames, module.sample(frames, steps, temperature, top_k or None, generator)])  # (P+S, 88)
        keys = [torch.nonzero(f).flatten().tolist() for f in frames]
        return frames_to_notes(keys, fs), len(primer) * fs, len(keys)
    primer = primer_events(spec, meta.min_pitch, meta.max_pitch)
    events = primer + module.sample(primer, steps, temperature=temperature, top_k=top_k or None, generator=generator)
    return to_notes(events, meta.min_pitch), len(primer), len(events)


def predict(module, cfg: DictConfig) -> list[dict]:
    """One result: the written paths (printed one a line) and the note count."""
    meta = module.meta
    steps, temperature = int(cfg.steps), float(cfg.temperature)
    top_k = int(cfg.top_k or 0)
    if not 0 < steps <= MAX_STEPS:
        raise UserError(f"steps={steps}: generate between 1 and {MAX_STEPS} time steps (events, or frames for poly_rnn)")
    if temperature <= 0:
        raise UserError(f"temperature={temperature} must be above 0: e.g. temperature=1.0 (lower is more conservative)")
    if top_k < 0:
        raise UserError(f"top_k={top_k} must be 0 (all events, or no limit on a frame's keys) or more")
    notes, primer_steps, written_steps = sample_notes(module, cfg, steps, temperature, top_k)
    # notes may be empty: a silent sample is written as silence
    out = Path(str(cfg.output_dir)).expanduser()
    out.mkdir(parents=True, exist_ok=True)
    stem = out / str(cfg.name)
    paths = {k: stem.with_suffix(f".{k}") for k in ("mid", "abc", "wav", "png")}
    pm = write_midi(notes, paths["mid"])
    title = f"{cfg.name} (seed {cfg.seed}" + (", top voice)" if meta.representation == "pianoroll" else ")")
    paths["abc"].write_text(abc_text(skyline(notes), meta.numerator, meta.denominator, title))
    write_wav(pm, paths["wav"])
    if notes:
        write_png(notes, paths["png"], primer_steps, max(1, round(meta.numerator * 16 / meta.denominator)))
    else:
        paths.pop("png")
    written = {k: str(v) for k, v in paths.items()}
    key = "frames" if meta.representation == "pianoroll" else "events"
    return [{"text": "\n".join(written.values()), **written, "notes": len(notes), key: written_steps}]
