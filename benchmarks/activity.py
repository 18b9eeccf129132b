"""Activity benchmark: clips/s the loader delivers (cold: decoding .avi; warm: from the .npy cache)
against clips/s training consumes, so the loader is never the bottleneck.

    python -m benchmarks.activity                # throughput on the default model and data
    python -m benchmarks.activity --run DIR      # + DIR's accuracy-against-minutes timeline and metrics
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from benchmarks.common import compose, machine, run_summary, save


def _datamodule(cfg, cache_dir: str | None = None):
    from suite.config import to_plain
    from suite.registry import get_task

    task = get_task("activity")
    data = to_plain(cfg.data)
    if cache_dir is not None:
        data["cache_dir"] = cache_dir
    dm = task.datamodule(data)
    dm.prepare_data()
    dm.setup("fit")
    return task, dm


def loader_throughput(dm, batches: int) -> float:
    """Clips/s out of the training DataLoader (sampling, collate and, when cold, decoding included)."""
    loader = iter(dm.train_dataloader())
    n, start = 0, time.perf_counter()
    for _ in range(batches):
        n += next(loader)["size"]
    return n / (time.perf_counter() - start)


def train_throughput(task, dm, cfg, steps: int) -> tuple[float, float]:
    """(clips/s, ms/step) of forward + backward + Adam step on batches already in memory."""
    from suite.config import to_plain

    module = task.module(model=to_plain(cfg.model), meta=dm.metadata()).train()
    opt = torch.optim.Adam(module.parameters(), lr=1e-3)
    loader = iter(dm.train_dataloader())
    batches = [next(loader) for _ in range(min(steps, 8))]
    clips, elapsed = 0, 0.0
    for i in range(steps + 2):
        batch = batches[i % len(batches)]
        start = time.perf_counter()
        loss = torch.nn.functional.cross_entropy(module(batch["clips"]), batch["labels"])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(module.parameters(), 5.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if i >= 2:  # the first steps warm up allocators
            elapsed += time.perf_counter() - start
            clips += batch["size"]
    return clips / elapsed, 1000 * elapsed / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, help="a finished default activity run dir")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--batches", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = compose(["task=activity"], Path(tmp))
        task, dm = _datamodule(cfg, cache_dir=str(Path(tmp) / "clips"))  # an empty cache: every clip decodes
        dm.splits.train = dm.splits.train[: args.batches * int(cfg.data.batch_size)]  # the warm pass reads these
        cold = loader_throughput(dm, args.batches)
        warm = loader_throughput(dm, args.batches)  # the same clips again (shuffled): all from the cache
        train, step_ms = train_throughput(task, dm, cfg, args.steps)
    result = {**machine(), "batch_size": cfg.data.batch_size, "frames_per_clip": cfg.data.segments,
              "image_size": cfg.data.image_size,
              "loader_cold_decode_clips_per_s": round(cold, 1), "loader_warm_cache_clips_per_s": round(warm, 1),
              "train_clips_per_s": round(train, 1), "train_step_ms": round(step_ms, 1),
              "loader_headroom_warm": round(warm / train, 1), "loader_headroom_cold": round(cold / train, 2)}
    if args.run:
        result.update(run_summary(args.run, "val/acc", ("acc", "loss")))
        result = {k: v for k, v in result.items() if "acc_class/" not in k}  # per-class rates: see the run
    save("activity", result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
