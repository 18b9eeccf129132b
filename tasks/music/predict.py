"""suite-predict for music: sample events (melody_rnn) or piano-roll frames (poly_rnn) after an
optional primer; write .mid, .abc, .wav, .png.

The primer is a pitch list ("C4 E4 G4", each a quarter note), a .mid or an .abc file (its top
voice for melody_rnn, every voice for poly_rnn), or nothing. Same seed, same music. Sampling is
samples.generate, the writers are render.py's (pretty_midi's MIDI and sine-wave synthesizer, no
system library; matplotlib; the ABC text, monophonic: a poly_rnn sample's .abc holds its top voice).
"""
from __future__ import annotations

import re
from pathlib import Path

from omegaconf import DictConfig

from suite.errors import UserError
from tasks.music.events import STEPS_PER_QUARTER, parse_pitch, skyline
from tasks.music.render import abc_text, steps_per_bar, write_midi, write_png, write_wav
from tasks.music.samples import generate

MAX_STEPS = 100_000  # events; more is almost surely a typo (an hour of music at 120 bpm is 28 800)


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


def sample_notes(module, cfg: DictConfig, steps: int, temperature: float, top_k: int
                 ) -> tuple[list[tuple[int, int, int]], int, int]:
    """(notes in 16th steps, the primer's length in 16th steps, time steps written: events or frames)."""
    spec = str(cfg.primer or "") or str(cfg.get("input") or "")
    return generate(module, primer_notes(spec), steps, temperature, top_k, int(cfg.seed))  # same command, same music


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
        write_png(notes, paths["png"], primer_steps, steps_per_bar(meta.numerator, meta.denominator))
    else:
        paths.pop("png")
    written = {k: str(v) for k, v in paths.items()}
    key = "frames" if meta.representation == "pianoroll" else "events"
    return [{"text": "\n".join(written.values()), **written, "notes": len(notes), key: written_steps}]
