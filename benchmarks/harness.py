"""One task's benchmark: train its recipe briefly (or reuse that run), then measure on the trained
weights: training throughput and its data-wait/compute split, Lightning's overhead against a bare
loop, the recurrent part's FLOP/s, decoding speed per beam, padding and peak memory.

Each task module (benchmarks/<task>.py) supplies a TaskSpec; `python -m benchmarks.<task>` runs it.
"""
from __future__ import annotations

import argparse
import json
import resource
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import torch

from benchmarks.common import compose, machine, provenance, run_summary, save
from benchmarks.flops import recurrent_figures
from benchmarks.steps import lightning_python_ms, loader_run, overhead_ratio, overhead_ratio_full

WORK = Path(__file__).parent / "_work"


@dataclass
class TaskSpec:
    name: str
    item: str  # what one batch element is ("images", "sentences", ...)
    unit: str  # what throughput is also counted in ("target_tokens", "audio_seconds", ...)
    observe: Callable  # (module, batch) -> {"items", "units", "real", "padded"} counts (padded: computed padding)
    # (module, batch, beam) -> None, or the count of `unit` it generated (then also timed per second);
    # runs the whole inference pipeline
    decode: Callable
    beams: tuple[int | str, ...] = (1, 5)  # beam sizes (1: greedy); "sample": the task's sampling decoder
    monitor: str = ""  # the run's metric for the quality-against-minutes curve
    keep: tuple[str, ...] = ()  # metrics.json figures to report
    extras: Callable | None = None  # (datamodule, module) -> dict of task-specific figures
    # (module, batch) -> None: the evaluation step as it was before the task contract (loss and search
    # each encoding the batch), timed beside eval_batch, which encodes once
    eval_two_passes: Callable | None = None
    epochs: int = 1  # of the default recipe before measuring: enough for decoding to stop where a trained model does
    steps: int = 20  # measured training steps (after 3 warm-up steps)
    decode_items: int = 256  # validation items decoded per beam size
    overrides: list[str] = field(default_factory=list)


def _parse(spec: TaskSpec) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=f"{spec.name} benchmark")
    parser.add_argument("--epochs", type=int, default=spec.epochs,
                        help="epochs of the default recipe trained before measuring (0: the recipe's own count)")
    parser.add_argument("--steps", type=int, default=spec.steps, help="measured training steps")
    parser.add_argument("--trainer", default="cpu", help="trainer config: cpu | gpu (bf16-mixed)")
    parser.add_argument("--max-nonfinite-steps", type=int, help="0 turns the non-finite-loss check off (no GPU sync)")
    return parser.parse_args()


def _trained_run(spec: TaskSpec, args) -> tuple[Path, object, float | None]:
    """The run dir of a finished short run of the default recipe (trained now unless kept from before)."""
    from suite.engine import train

    epochs = [f"trainer.max_epochs={args.epochs}"] if args.epochs else []
    run_dir = WORK / f"{spec.name}-{args.trainer}-epochs{args.epochs or 'default'}"
    cfg = compose([f"task={spec.name}", f"trainer={args.trainer}", "logger=csv", "trainer.enable_progress_bar=false",
                   "print_config=false", *epochs, *spec.overrides], run_dir)
    wall = run_dir / "train_wall_s.txt"
    if not (run_dir / "metrics.json").is_file():
        start = time.perf_counter()
        train(cfg)
        wall.write_text(f"{time.perf_counter() - start:.0f}\n")
    return run_dir, cfg, float(wall.read_text()) if wall.is_file() else None


def _decode(spec: TaskSpec, module, batches: list) -> dict:
    n = sum(b["size"] for b in batches)
    out, seconds = {}, {}
    module.eval()
    for beam in spec.beams:
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            with torch.no_grad():
                generated = sum(spec.decode(module, b, beam) or 0 for b in batches)
            best = min(best, time.perf_counter() - start)
        seconds[beam] = best
        name = "inference" if spec.beams == (1,) else f"decode_beam{beam}" if isinstance(beam, int) else f"decode_{beam}"
        out[f"{name}_{spec.item}_per_s"] = round(n / best, 1)  # "inference": a classifier has no beams
        if generated:  # a generator's time steps (music's sampled events)
            out[f"{name}_{spec.unit}_per_s"] = round(generated / best, 1)
    for beam in seconds:
        if isinstance(beam, int) and beam > 1 and 1 in seconds:
            out[f"beam{beam}_over_greedy"] = round(seconds[beam] / seconds[1], 2)  # per-item time ratio
    module.train()
    return out


def _eval_step_ms(spec: TaskSpec, module, batches: list) -> dict:
    """Milliseconds per validation batch of the evaluation step (loss + decoding), best of two."""
    steps = {"val_ms_per_batch": lambda b: module.eval_batch(b, "val")}
    if spec.eval_two_passes:
        steps["val_ms_per_batch_encoding_twice"] = lambda b: spec.eval_two_passes(module, b)
    out = {}
    module.eval()
    for name, step in steps.items():
        best = float("inf")
        for _ in range(2):
            start = time.perf_counter()
            with torch.no_grad():
                for b in batches:
                    step(b)
            best = min(best, time.perf_counter() - start)
        out[name] = round(1000 * best / len(batches), 1)
    module.train()
    return out


def _default_beam(module) -> int | None:
    """The beam the recipe decodes with (1: greedy; None: it samples or does not search)."""
    decode = (module.hparams.get("model") or {}).get("decode") or {}
    strategy = decode.get("strategy")  # dialogue's decoders choose greedy, beam or sampling
    if strategy == "greedy":
        return 1
    return int(decode.get("beam_size") or 1) if strategy in (None, "beam") and "beam_size" in decode else None


def _to_device(batch, device):
    if isinstance(batch, torch.Tensor):
        return batch.to(device)
    if isinstance(batch, dict):
        return {k: _to_device(v, device) for k, v in batch.items()}
    return batch


def run(spec: TaskSpec) -> dict:
    from suite.checkpoint import load_module
    from suite.registry import get_task

    args = _parse(spec)
    started = provenance()  # commit, torch, and the load average the whole measurement starts under
    run_dir, cfg, train_seconds = _trained_run(spec, args)
    torch.set_num_threads(int(cfg.get("threads") or torch.get_num_threads()))
    task = get_task(spec.name)
    ckpt = next((run_dir / "checkpoints").glob("best-*.ckpt"))
    module = load_module(ckpt, task).train()
    if args.max_nonfinite_steps is not None:
        module.max_nonfinite_steps = args.max_nonfinite_steps
    default_beam = _default_beam(module)
    if len(spec.beams) > 1 and default_beam not in (None, *spec.beams):  # a search task: also at its own beam
        spec = replace(spec, beams=(*spec.beams, default_beam))
    dm = task.datamodule_class(dict(module.meta.data), meta=module.meta)
    dm.prepare_data()
    dm.setup("fit")
    warmup = 3
    measured = loader_run(module, dm.train_dataloader(), cfg.trainer, warmup, args.steps,
                          lambda batch: spec.observe(module, batch))
    seconds = measured["seconds"]
    result = {**machine(), "trainer": args.trainer, "precision": str(cfg.trainer.precision),
              "batch_size": cfg.data.get("batch_size"), "item": spec.item,
              f"train_{spec.item}_per_s": round(measured["items"] / seconds, 1),
              f"train_{spec.unit}_per_s": round(measured["units"] / seconds, 1),
              **measured["figures"],
              "padding_fraction": round(measured["padded"] / max(measured["real"] + measured["padded"], 1), 3)}
    if "tensor_padded" in measured:  # padding the batch tensors carry but the model skips
        result["padding_fraction_batch_tensors"] = round(
            measured["tensor_padded"] / (measured["real"] + measured["tensor_padded"]), 3)
    loader = iter(dm.train_dataloader())
    batches = [next(loader) for _ in range(8)]  # the same batches for both loops below
    result.update(overhead_ratio(module, batches, cfg.trainer, warmup, args.steps))
    result.update(overhead_ratio_full(module, dm, cfg, warmup, args.steps))
    result["lightning_python_ms_per_step"] = lightning_python_ms(module, batches, cfg.trainer)
    device = torch.device("cuda" if torch.cuda.is_available() and args.trainer != "cpu" else "cpu")
    replica = module.to(device)
    step_batch = _to_device(batches[0], device)
    result.update(recurrent_figures(replica, lambda: replica.training_step(step_batch, 0),
                                    result["step_ms_bare_pytorch"] / 1000))
    val, n = [], 0
    for b in dm.val_dataloader():
        val.append(_to_device(b, device))
        n += b["size"]
        if n >= spec.decode_items:
            break
    result.update(_decode(spec, replica, val))
    result.update(_eval_step_ms(spec, replica, val))
    if spec.extras:
        result.update(spec.extras(dm, module))
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # Linux: KiB
    result["trained_epochs"] = args.epochs or "recipe default"
    if train_seconds is not None:
        result["train_wall_s"] = round(train_seconds)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    result.update({k: round(v, 4) for k, v in metrics.items() if any(word in k for word in spec.keep)})
    if not args.epochs and spec.monitor:
        result.update(run_summary(run_dir, spec.monitor, spec.keep))
    result = {**started, **result, "default_beam": default_beam}  # the measurement's own threads and device win
    key = spec.name if args.trainer == "cpu" else f"{spec.name}@{args.trainer}"
    if args.max_nonfinite_steps == 0:
        key, result["nonfinite_check"] = f"{key} (no non-finite check)", False
    save(key, result)
    print(json.dumps(result, indent=2))
    return result
