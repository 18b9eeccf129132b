"""Speech benchmark (log-mel -> conv subsampling -> BiLSTM -> CTC).

    python -m benchmarks.speech [--epochs N]        # figures into benchmarks/results.{json,md}

Throughput counts utterances and seconds of audio; padding counts waveform samples of the
frame-budgeted, length-bucketed batches; decoding (features, network and CTC search, greedy and
beam 5 / 16) runs on validation utterances and is also given as a real-time factor.
"""
from __future__ import annotations

import time

import torch

from benchmarks.harness import TaskSpec, run


def observe(module, batch: dict) -> dict:
    real = int(batch["lengths"].sum())
    return {"items": batch["size"], "units": real / module.sample_rate, "real": real, "padded": batch["wave"].numel() - real}


def decode(module, batch: dict, beam: int) -> None:
    module.transcribe(batch["wave"], batch["lengths"], beam_size=beam)


def padding_and_rtf(dm, module) -> dict:
    """Padding with random batches under the same frame budget, and the real-time factor of decoding."""
    from tasks.speech.sampler import FrameBudgetSampler

    lengths = [dm.length(it) for it in dm.items["train"]]  # 10 ms frames per utterance
    d = dm.data
    sampler = FrameBudgetSampler(lengths, int(d["batch_frames"]), max_batch_size=int(d["max_batch_size"]),
                                 bucket=False, seed=0)
    real = sum(lengths)
    total = sum(max(lengths[i] for i in b) * len(b) for b in sampler)
    out = {"padding_fraction_random_batches": round(1 - real / total, 3)}
    device = next(module.parameters()).device
    batches = [{k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in b.items()}
               for b in list(dm.val_dataloader())[:8]]
    audio = sum(float(b["lengths"].sum()) for b in batches) / module.sample_rate
    module.eval()
    for beam in (1, 16):
        start = time.perf_counter()
        with torch.no_grad():
            for b in batches:
                decode(module, b, beam)
        out[f"decode_rtf_beam{beam}"] = round((time.perf_counter() - start) / audio, 4)
    return out


SPEC = TaskSpec(name="speech", item="utterances", unit="audio_seconds", observe=observe, decode=decode,
                monitor="val/wer", keep=("wer", "cer"), extras=padding_and_rtf, steps=20,
                epochs=4)  # CTC emits only blanks for the first epoch or two: decoding would time nothing

if __name__ == "__main__":
    run(SPEC)
