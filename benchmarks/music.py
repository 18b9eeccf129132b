"""Music benchmark (melody_rnn: event embedding -> LSTM with attention over its past -> softmax over
the next 16th-step event) on the synthetic melodies.

    python -m benchmarks.music [--epochs N]         # figures into benchmarks/results.{json,md}

Throughput counts pieces (chunks of at most data.max_events steps) and time steps: events for
melody_rnn, frames for poly_rnn (one observe for both); padding counts padded time steps of the
length-bucketed batches. There is no beam: decoding is sampling through suite-predict's own path
(tasks.music.predict.sample_notes: no primer, temperature 1, every event allowed, one step at a
time), one sample per validation piece and as long as it, seeded by the piece's id; the harness
reports pieces/s and sampled events/s (sampling steps per second). Writing the .mid/.abc/.wav/.png
files is left out: that is file output, not generation.
"""
from __future__ import annotations

from omegaconf import OmegaConf

from benchmarks.harness import TaskSpec, run


def observe(module, batch: dict) -> dict:
    steps = int(batch["lengths"].sum())  # each piece's events or frames; the rest of the (B, T) grid is padding
    padded = batch["y"].shape[0] * batch["y"].shape[1] - steps  # (B, T) or (B, T, 88): padding in time steps
    return {"items": batch["size"], "units": steps, "real": steps, "padded": padded}


def decode(module, batch: dict, beam: int | str) -> int:
    """Sample, as suite-predict does, a piece as long as each validation piece; returns the steps sampled."""
    from tasks.music.predict import sample_notes

    sampled = 0
    for piece, length in zip(batch["ids"], batch["lengths"].tolist()):
        cfg = OmegaConf.create({"primer": "", "seed": int(piece)})  # suite-predict's primer= and seed=
        _, _, steps = sample_notes(module, cfg, int(length), temperature=1.0, top_k=0)
        sampled += steps
    return sampled


SPEC = TaskSpec(name="music", item="pieces", unit="events", observe=observe, decode=decode, beams=("sample",),
                monitor="val/nll", keep=("nll",), steps=20,
                decode_items=64)  # one validation batch: 64 samples of ~230 events, ~15 k sampling steps

if __name__ == "__main__":
    run(SPEC)
