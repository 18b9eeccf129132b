"""Translation benchmark: training target tokens/s, decoded sentences/s at beam 1 and 5, padding.

    python -m benchmarks.translation                # throughput on the default model and data
    python -m benchmarks.translation --run DIR      # + decode speed with DIR's best checkpoint and
                                                    #   its BLEU-against-minutes timeline
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

    task = get_task("translation")
    dm = task.datamodule(to_plain(cfg.data))
    dm.prepare_data()
    dm.setup("fit")
    return task, dm


def padding_fraction(dm, bucketed: bool) -> float:
    """Share of computed source+target positions that are padding, with and without bucketing."""
    loader = dm.train_dataloader()
    if not bucketed:
        loader = torch.utils.data.DataLoader(dm.items["train"], batch_size=int(dm.data["batch_size"]), shuffle=True,
                                             collate_fn=loader.collate_fn)
    real = total = 0
    for batch in loader:
        for key in ("src", "tgt_out"):
            real += int((batch[key] != 0).sum())
            total += batch[key].numel()
    return round(1 - real / total, 3)


def train_throughput(cfg, steps: int) -> dict:
    task, dm = _datamodule(cfg)
    from suite.config import to_plain

    module = task.module(model=to_plain(cfg.model), meta=dm.metadata()).train()
    opt = torch.optim.Adam(module.parameters(), lr=1e-3)
    batches = iter(dm.train_dataloader())
    tokens, elapsed = 0, 0.0
    for i in range(steps + 3):
        batch = next(batches)
        start = time.perf_counter()
        loss = module._loss(batch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(module.parameters(), 5.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        if i >= 3:  # the first steps warm up allocators
            elapsed += time.perf_counter() - start
            tokens += int((batch["tgt_out"] != 0).sum())
    return {"train_target_tokens_per_s": round(tokens / elapsed), "train_step_ms": round(1000 * elapsed / steps, 1),
            "padding_fraction_bucketed": padding_fraction(dm, True),
            "padding_fraction_random_batches": padding_fraction(dm, False)}


def decode_throughput(ckpt: Path) -> dict:
    module, batches = validation_batches(ckpt, "translation")
    n = sum(b["size"] for b in batches)
    out = {}
    for beam in (1, 5):
        def run():
            with torch.no_grad():
                for b in batches:
                    module.translate(b["src"], b["src_lengths"], beam_size=beam)
        out[f"decode_beam{beam}_sentences_per_s"] = round(n / timed(run, repeat=2), 1)
    out["beam5_over_greedy"] = round(out["decode_beam1_sentences_per_s"] / out["decode_beam5_sentences_per_s"], 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--run", type=Path, help="a finished default translation run dir")
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cfg = compose(["task=translation"], Path(tmp))
        result = {**machine(), "batch_size": cfg.data.batch_size, **train_throughput(cfg, args.steps)}
    if args.run:
        result.update(decode_throughput(best_checkpoint(args.run)))
        result.update(run_summary(args.run, "val/bleu", ("bleu", "chrf")))
    save("translation", result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
