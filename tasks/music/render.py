"""Notes -> what a person can read, hear and see: MIDI, ABC text, audio, a piano-roll picture.

Notes are (pitch, start, end) in 16th steps. suite-predict writes these as files (predict.py); the
W&B sample table after each validation shows the same audio, picture and ABC text (samples.py).
pretty_midi writes the MIDI and synthesizes the audio (sine waves: no system library, no soundfont);
matplotlib draws the roll; the ABC text is written here (monophonic: callers pass one voice).
"""
from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np

from tasks.music.events import STEPS_PER_QUARTER

BPM = 120  # tempo of the written files: a 16th step lasts 0.125 s
SAMPLE_RATE = 22050  # the audio; pretty_midi's synthesizer is sine waves, CD rate adds nothing
LETTERS = [("C", ""), ("C", "^"), ("D", ""), ("D", "^"), ("E", ""), ("F", ""), ("F", "^"), ("G", ""), ("G", "^"),
           ("A", ""), ("A", "^"), ("B", "")]


def steps_per_bar(numerator: int, denominator: int) -> int:
    """16th steps in a bar of numerator/denominator."""
    return max(1, round(numerator * 16 / denominator))


def to_midi(notes):
    """A one-track piano PrettyMIDI at BPM."""
    import pretty_midi

    step = 60.0 / BPM / STEPS_PER_QUARTER
    pm = pretty_midi.PrettyMIDI(initial_tempo=BPM)
    piano = pretty_midi.Instrument(program=0, name="melody")
    piano.notes = [pretty_midi.Note(velocity=90, pitch=p, start=s * step, end=e * step) for p, s, e in notes]
    pm.instruments.append(piano)
    return pm


def write_midi(notes, path: Path):
    pm = to_midi(notes)
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
    bar = steps_per_bar(numerator, denominator)
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


def synthesize(pm) -> np.ndarray:
    """(N,) float32 mono audio at SAMPLE_RATE, peak 0.8 (a second of silence for a silent sample)."""
    audio = pm.synthesize(fs=SAMPLE_RATE)  # sine waves: no system library, no soundfont
    if not audio.size:
        return np.zeros(SAMPLE_RATE, np.float32)
    peak = float(np.abs(audio).max()) or 1.0
    return (audio / peak * 0.8).astype(np.float32)


def write_wav(pm, path: Path) -> None:
    pcm = (synthesize(pm) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm.tobytes())


def pianoroll_figure(notes, primer_steps: int, bar: int, length: int = 0):
    """A matplotlib figure of the notes (the primer's in grey), bar lines every `bar` steps, at least
    `length` steps wide (samples of one length make pictures of one size, as W&B panels want)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    end = max([length, *(e for _, _, e in notes)]) or bar
    fig, ax = plt.subplots(figsize=(min(24, 4 + end / 32), 4))
    for p, s, e in notes:
        ax.broken_barh([(s, e - s)], (p - 0.4, 0.8), color="tab:gray" if s < primer_steps else "tab:blue")
    for x in range(0, end + 1, bar):
        ax.axvline(x, color="0.85", linewidth=0.5, zorder=0)
    ax.set_xlabel("16th steps" + (" (grey: primer)" if primer_steps else ""))
    ax.set_ylabel("MIDI pitch")
    fig.tight_layout()
    return fig


def write_png(notes, path, primer_steps: int, bar: int, length: int = 0) -> None:
    """The piano roll as a PNG at `path` (a file name or a binary file object)."""
    import matplotlib.pyplot as plt

    fig = pianoroll_figure(notes, primer_steps, bar, length)
    fig.savefig(path, dpi=80, format="png")
    plt.close(fig)


def pianoroll_image(notes, primer_steps: int, bar: int, length: int = 0):
    """The piano roll as an RGB PIL image, what write_png writes (a silent sample: empty axes)."""
    from PIL import Image

    buffer = io.BytesIO()
    write_png(notes, buffer, primer_steps, bar, length)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")
