"""Speech benchmark: training throughput (seconds of audio per wall second), decoding real-time
factor for greedy and beam search, and the padding fraction with and without length bucketing.

    python -m benchmarks.speech                # throughput and padding on the default model and data
    python -m benchmarks.speech --run DIR      # + decoding RTF with DIR's best checkpoint and its
                                               #   WER-against-minutes timeline
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from benchmarks.common import best_checkpoint, compose, machine, run_summary, save, timed, validation_batches


def _datamodule(cfg):
    from suite.config import to_plain
    from suite.registry import get_task

    task = get_task("speech")
    dm = task.datamodule(to_plain(cfg.data))
    dm.prepare_data()
    dm.setup("fit")
    return task, dm


def padding_fraction(dm, bucketed: bool) -> float:
    """Share of the computed feature frames (batch x longest utterance) that are padding."""
    from tasks.speech.sampler import FrameBudgetSampler

    lengths = dm.frame_lengths("train")
    sampler = FrameBudgetSampler(lengths, int(dm.data["batch_frames"]), max_batch_size=int(dm.data["max_batch_size"]),
                                 bucket=bucketed, seed=0)
    real = total = 0
    for batch in sampler:
        real += sum(lengths[i] for i in batch)
        total += max(lengths[i] for i in batch) * len(batch)
    return round(1 - real / total, 3)


def train_throughput(cfg, steps: int) -> dict:
    from suite.config import to_plain

    task, dm = _datamodule(cfg)
    module = task.module(model=to_plain(cfg.model), meta=dm.metadata()).train()
    opt = torch.optim.AdamW(module.parameters(), lr=1e-3)
    batches = iter(dm.train_dataloader())
    seconds, elapsed = 0.0, 0.0
    for i in range(steps + 2):
        start = time.perf_counter()
        batch = next(batches)  # audio decoding is part of training's cost
        log_probs, frames = module(batch["wave"], batch["lengths"])
        loss = module._loss(batch, log_probs, frames, count=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(module.parameters(), 5.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if i >= 2:  # the first steps warm up allocators
            elapsed += time.perf_counter() - start
            seconds += float(batch["lengths"].sum()) / module.sample_rate
    return {"train_audio_seconds_per_s": round(seconds / elapsed, 1), "train_step_ms": round(1000 * elapsed / steps),
            "padding_fraction_bucketed": padding_fraction(dm, True),
            "padding_fraction_random_batches": padding_fraction(dm, False)}


def decode_rtf(ckpt: Path, beam: int) -> dict:
    """Real-time factor (wall seconds per second of audio, lower is faster) of the whole pipeline:
    features, network and search, on the checkpoint's validation set."""
    module, batches = validation_batches(ckpt, "speech")
    audio = sum(float(b["lengths"].sum()) for b in batches) / module.sample_rate
    out = {}
    for name, size in (("greedy", 1), (f"beam{beam}", beam)):
        decoder = module.decoder(size)

        def run():
            with torch.no_grad():
                for b in batches:
                    decoder(*module(b["wave"], b["lengths"]))
        out[f"decode_rtf_{name}"] = round(timed(run, repeat=2) / audio, 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, help="a finished default speech run dir")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--beam", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = compose(["task=speech"], Path(tmp))
        result = {**machine(), "batch_frames": cfg.data.batch_frames, **train_throughput(cfg, args.steps)}
    if args.run:
        result.update(decode_rtf(best_checkpoint(args.run), args.beam))
        result.update(run_summary(args.run, "val/wer", ("wer", "cer")))
    save("speech", result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
