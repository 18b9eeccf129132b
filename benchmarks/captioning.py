"""Captioning benchmark: training images/s, decoded captions/s at beam 1 and 3, BLEU-4 vs minutes.

    python -m benchmarks.captioning                 # throughput on the default model and data
    python -m benchmarks.captioning --run DIR       # + decode speed with DIR's best checkpoint and
                                                    #   its BLEU-4-against-minutes timeline
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from benchmarks.common import best_checkpoint, compose, machine, run_summary, save, timed, validation_batches


def train_throughput(cfg, steps: int) -> dict:
    """Images/s of full training steps (forward, backward, Adam) through the real module."""
    from suite.config import to_plain
    from suite.registry import get_task

    task = get_task("captioning")
    dm = task.datamodule(to_plain(cfg.data))
    dm.prepare_data()
    dm.setup("fit")
    module = task.module(model=to_plain(cfg.model), meta=dm.metadata()).train()
    opt = torch.optim.Adam(module.parameters(), lr=1e-3)
    batches = iter(dm.train_dataloader())
    data_s = compute_s = 0.0
    images = 0
    for i in range(steps + 3):
        t0 = time.perf_counter()
        batch = next(batches)
        t1 = time.perf_counter()
        ce, penalty = module._losses(batch)
        (ce + module.ds_lambda * penalty).backward()
        torch.nn.utils.clip_grad_norm_(module.parameters(), 5.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        t2 = time.perf_counter()
        if i >= 3:  # the first steps warm up allocators and the image cache
            data_s, compute_s, images = data_s + t1 - t0, compute_s + t2 - t1, images + batch["size"]
    return {"train_images_per_s": round(images / (data_s + compute_s), 1),
            "train_step_ms": round(1000 * (data_s + compute_s) / steps, 1),
            "train_data_wait_fraction": round(data_s / (data_s + compute_s), 3)}


def decode_throughput(ckpt: Path) -> dict:
    module, batches = validation_batches(ckpt, "captioning")
    n = sum(b["size"] for b in batches)
    out = {}
    for beam in (1, 3):
        def run():
            with torch.no_grad():
                for b in batches:
                    module.caption(b["images"], beam_size=beam)
        out[f"decode_beam{beam}_captions_per_s"] = round(n / timed(run, repeat=2), 1)
    out["beam3_over_greedy"] = round(out["decode_beam1_captions_per_s"] / out["decode_beam3_captions_per_s"], 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, help="a finished default captioning run dir")
    parser.add_argument("--steps", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = compose(["task=captioning"], Path(tmp))
        result = {**machine(), "batch_size": cfg.data.batch_size, **train_throughput(cfg, args.steps)}
    if args.run:
        result.update(decode_throughput(best_checkpoint(args.run)))
        result.update(run_summary(args.run, "val/bleu4", ("bleu4", "cider")))
    save("captioning", result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
