"""Activity benchmark (LRCN: a CNN on every frame -> LSTM over the frames).

    python -m benchmarks.activity [--epochs N]      # figures into benchmarks/results.{json,md}

Throughput counts clips and frames; clips have a fixed frame count, so there is no padding;
inference (a classifier: no beams) runs on validation clips. The loader's own speed, cold
(decoding .avi) and warm (from the decoded-clip cache), shows it keeps up with training.
"""
from __future__ import annotations

import tempfile
import time

from benchmarks.harness import TaskSpec, run


def observe(module, batch: dict) -> dict:
    clips = batch["clips"]  # (B, T, 3, H, W)
    return {"items": batch["size"], "units": clips.shape[0] * clips.shape[1], "real": 1, "padded": 0}


def decode(module, batch: dict, beam: int) -> None:
    module.probabilities(batch["clips"])


def _clips_per_s(dm, batches: int) -> float:
    loader = iter(dm.train_dataloader())
    n, start = 0, time.perf_counter()
    for _ in range(batches):
        n += next(loader)["size"]
    return n / (time.perf_counter() - start)


def loader_speed(dm, module, batches: int = 10) -> dict:
    """Clips/s out of the training loader with an empty decode cache (every .avi decoded), then warm."""
    from tasks.activity.datamodule import ActivityDataModule

    with tempfile.TemporaryDirectory() as tmp:
        cold_dm = ActivityDataModule({**dm.data, "cache_dir": tmp}, meta=dm.meta)
        cold_dm.setup("fit")
        cold_dm.items["train"] = cold_dm.items["train"][: batches * int(dm.data["batch_size"])]
        cold = _clips_per_s(cold_dm, batches)
        warm = _clips_per_s(cold_dm, batches)  # the same clips again: all from the cache
    return {"loader_cold_decode_clips_per_s": round(cold, 1), "loader_warm_cache_clips_per_s": round(warm, 1)}


SPEC = TaskSpec(name="activity", item="clips", unit="frames", observe=observe, decode=decode, beams=(1,),
                monitor="val/acc", keep=("val/acc", "test/acc"), extras=loader_speed, steps=20, decode_items=300)

if __name__ == "__main__":
    run(SPEC)
