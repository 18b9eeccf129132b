"""Training step time through Lightning (the suite's trainer config) and through a bare PyTorch loop.

Both run the task module's own `training_step` on the same batches with the same optimiser,
schedule and gradient clipping, in this process; the ratio of their step times is the price of
Lightning plus the suite's hooks (skip accounting, non-finite check, logging, LR monitor).
`overhead_ratio` is a stripped trainer's (CSV logger and LR monitor only, pre-collated batches, the
median step: logging steps drop out); `overhead_ratio_full` is the trainer a user's run builds,
every step counted.
"""
from __future__ import annotations

import copy
import statistics
import tempfile
import time
from pathlib import Path

import pytorch_lightning as pl
import torch
from hydra.utils import instantiate
from pytorch_lightning.callbacks import LearningRateMonitor
from pytorch_lightning.loggers import CSVLogger


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()  # GPU kernels run asynchronously: time what they did, not what was queued


class StepClock(pl.Callback):
    """Wall-clock time at the start and end of every training batch."""

    def __init__(self, observe=None):
        self.starts: list[float] = []
        self.ends: list[float] = []
        self.observe = observe  # batch -> dict of counts (items, tokens, padding), kept per step
        self.seen: list[dict] = []

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        if self.observe is not None:
            self.seen.append(self.observe(batch))
        _sync()
        self.starts.append(time.perf_counter())

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        _sync()
        self.ends.append(time.perf_counter())


def _optimizer(module, total_steps: int):
    """What SuiteModule.configure_optimizers builds, without needing a trainer."""
    cfg = module.hparams["model"]
    optimizer = instantiate(cfg["optimizer"])(params=[p for p in module.parameters() if p.requires_grad])
    scheduler = instantiate(cfg["scheduler"])(optimizer, total_steps=max(total_steps, 100)) if cfg.get("scheduler") else None
    return optimizer, scheduler


def lightning_run(module, loader, trainer_cfg, steps: int, observe=None) -> StepClock:
    """Fit `module` for `steps` batches of `loader` with the suite's trainer settings (no validation,
    no checkpoints, no progress bar: those are per-epoch costs, not per-step ones)."""
    clock = StepClock(observe)
    with tempfile.TemporaryDirectory() as tmp:
        trainer = instantiate(trainer_cfg, max_steps=steps, max_epochs=-1, limit_val_batches=0, num_sanity_val_steps=0,
                              enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                              logger=CSVLogger(tmp), callbacks=[clock, LearningRateMonitor("step")],
                              default_root_dir=tmp)
        trainer.fit(module, train_dataloaders=loader)
    return clock


def fixed_loader(batches: list) -> torch.utils.data.DataLoader:
    """A loader that hands out the given batches as they are (no collation)."""
    return torch.utils.data.DataLoader(batches, batch_size=None, shuffle=False, collate_fn=lambda b: b)


def bare_run(module, batches: list, clip: float, steps: int) -> list[float]:
    """Per-step seconds of forward, backward, clipping and optimiser step in plain PyTorch."""
    optimizer, scheduler = _optimizer(module, steps)
    module.train()
    params = [p for p in module.parameters() if p.requires_grad]
    times = []
    for i in range(steps):
        _sync()
        start = time.perf_counter()
        out = module.training_step(batches[i % len(batches)], i)
        loss = out["loss"] if isinstance(out, dict) else out
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(params, clip)
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        _sync()
        times.append(time.perf_counter() - start)
    return times


class BareSteps(pl.Callback):
    """After each Lightning step, one bare PyTorch step of a twin module on the same batch: the two
    loops alternate step by step, so both see the same machine (on a shared 2-core VM, separate
    runs of the same loop differ by up to 30% from one second to the next)."""

    def __init__(self, twin, batches: list, clip: float, steps: int):
        self.twin, self.batches, self.clip, self.steps = twin.train(), batches, clip, steps
        self.times: list[float] = []

    def on_fit_start(self, trainer, pl_module):
        self.twin.to(pl_module.device)  # where Lightning put its own copy, with the optimiser made after
        self.optimizer, self.scheduler = _optimizer(self.twin, self.steps)
        self.params = [p for p in self.twin.parameters() if p.requires_grad]
        # the same mixed precision as the trainer's (bf16-mixed on a GPU), else none
        bf16 = "bf16" in str(trainer.precision) and pl_module.device.type == "cuda"
        self.autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16)

    def next_batch(self, batch, batch_idx: int, device):
        # from the host copy, as Lightning's step had to: the device transfer is part of a step
        return self.twin.transfer_batch_to_device(self.batches[batch_idx], device, 0)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        _sync()
        start = time.perf_counter()
        own = self.next_batch(batch, batch_idx, pl_module.device)
        with self.autocast:
            out = self.twin.training_step(own, batch_idx)
        loss = out["loss"] if isinstance(out, dict) else out
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.clip:
            torch.nn.utils.clip_grad_norm_(self.params, self.clip)
        self.optimizer.step()
        if self.scheduler is not None:
            self.scheduler.step()
        _sync()
        self.times.append(time.perf_counter() - start)


def overhead_ratio(module, batches: list, trainer_cfg, warmup: int, steps: int) -> dict:
    """Median step time after `warmup` steps, Lightning against bare PyTorch, measured alternately
    on twin copies of the same weights, batches and optimiser. A Lightning step is the time from
    its start to the next one's, less the bare step run in between. The ratio is the median of
    the step-by-step ratios: a pair shares the machine's state of the moment, and a step that
    stalls for reasons of its own does not move a median. Lightning's periodic work (logging
    every log_every_n_steps) falls in 1 step of 20 and is left out with the outliers."""
    total = warmup + steps
    loop = [batches[i % len(batches)] for i in range(total)]
    bare = BareSteps(copy.deepcopy(module), loop, float(trainer_cfg.get("gradient_clip_val") or 0), total)
    clock = StepClock()
    with tempfile.TemporaryDirectory() as tmp:
        trainer = instantiate(trainer_cfg, max_steps=total, max_epochs=-1, limit_val_batches=0, num_sanity_val_steps=0,
                              enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                              logger=CSVLogger(tmp), callbacks=[clock, bare, LearningRateMonitor("step")],
                              default_root_dir=tmp)
        trainer.fit(copy.deepcopy(module), train_dataloaders=fixed_loader(loop))
    intervals = [b - a for a, b in zip(clock.starts, clock.starts[1:])]
    lightning = [gap - own for gap, own in zip(intervals[warmup:], bare.times[warmup:])]
    bare_times = bare.times[warmup:warmup + len(lightning)]
    ratios = [own / twin for own, twin in zip(lightning, bare_times)]  # each pair ran back to back
    return {"step_ms_bare_pytorch": round(1000 * statistics.median(bare_times), 1),
            "step_ms_lightning": round(1000 * statistics.median(lightning), 1),
            "overhead_ratio": round(statistics.median(ratios), 3)}


class LoaderBareSteps(BareSteps):
    """BareSteps for the trainer a user runs, which reads the real training loader: each bare step
    also draws a batch from its own iterator over the same loader and moves it to the device (the
    loading a hand-written loop pays too), then trains on the batch Lightning just trained on, so the
    two loops compute identical batches."""

    def __init__(self, twin, loader, clip: float, steps: int):
        super().__init__(twin, [], clip, steps)
        self.loader, self.iterator = loader, None

    def next_batch(self, batch, batch_idx: int, device):
        fetched = next(self.iterator, None) if self.iterator is not None else None
        if fetched is None:  # not started yet, or the epoch ran out
            self.iterator = iter(self.loader)
            fetched = next(self.iterator)
        self.twin.transfer_batch_to_device(fetched, device, 0)
        return batch


def overhead_ratio_full(module, datamodule, cfg, warmup: int, steps: int) -> dict:
    """Like overhead_ratio, but through the trainer exactly as suite.engine builds it for a user's run
    (`build_trainer`: both checkpoint callbacks, timeline, convergence, progress bar on, the config's
    logger with the LR monitor and prediction tables) fed by the real training loader (`fit` with the
    datamodule), against a bare loop that loads its batches from the same loader. Every measured step
    counts, logging steps included: the ratio is total time over total time, over a whole number of
    logging periods (`log_every_n_steps`), at least `steps` steps."""
    from omegaconf import open_dict

    from suite.engine import _loggers, build_trainer

    period = int(cfg.trainer.get("log_every_n_steps") or 1)
    measured = -(-max(steps, period) // period) * period  # whole logging periods: each holds one logging step
    total = warmup + measured + 1  # n measured intervals need n + 1 step starts
    cfg = copy.deepcopy(cfg)
    with open_dict(cfg):
        # only the length differs from a user's run: max_epochs=-1 so a short epoch cannot end it first
        cfg.trainer.update(max_steps=total, max_epochs=-1, enable_progress_bar=True)
    bare = LoaderBareSteps(copy.deepcopy(module), datamodule.train_dataloader(),
                           float(cfg.trainer.get("gradient_clip_val") or 0), total)
    clock = StepClock()
    own = copy.deepcopy(module)
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = Path(tmp)
        trainer, _, _ = build_trainer(cfg, datamodule, own, _loggers(cfg, run_dir, None), run_dir, (clock, bare))
        trainer.fit(own, datamodule=datamodule)
    intervals = [b - a for a, b in zip(clock.starts, clock.starts[1:])][warmup:]
    lightning = [gap - twin for gap, twin in zip(intervals, bare.times[warmup:])]
    bare_times = bare.times[warmup:warmup + len(lightning)]
    return {"step_ms_bare_pytorch_full": round(1000 * statistics.mean(bare_times), 1),
            "step_ms_lightning_full": round(1000 * statistics.mean(lightning), 1),
            "overhead_ratio_full": round(sum(lightning) / sum(bare_times), 3), "overhead_steps_full": len(lightning)}


def loader_run(module, loader, trainer_cfg, warmup: int, steps: int, observe) -> dict:
    """A Lightning run on the real training loader. Compute is each batch's start to end; the gaps
    between batches are the wait for data (plus Lightning's between-step bookkeeping). Returns the
    step time split and the sums of `observe(batch)` over the measured steps."""
    clock = lightning_run(copy.deepcopy(module), loader, trainer_cfg, warmup + steps, observe)
    compute = sum(e - s for s, e in zip(clock.starts[warmup:], clock.ends[warmup:]))
    wait = sum(s - e for e, s in zip(clock.ends[warmup:-1], clock.starts[warmup + 1:]))
    wait *= steps / max(steps - 1, 1)  # n steps have n - 1 measured gaps
    counts: dict = {}
    for seen in clock.seen[warmup:]:
        for k, v in seen.items():
            counts[k] = counts.get(k, 0) + v
    return {"seconds": compute + wait, "steps": steps, **counts,
            "figures": {"train_step_ms": round(1000 * (compute + wait) / steps, 1),
                        "train_compute_ms": round(1000 * compute / steps, 1),
                        "train_data_wait_ms": round(1000 * wait / steps, 1),
                        "train_data_wait_fraction": round(wait / (compute + wait), 3)}}


def lightning_python_ms(module, batches: list, trainer_cfg, steps: int = 60) -> float:
    """Milliseconds a step spends in Lightning's own Python (self time of its functions under
    cProfile, which inflates Python time: an upper bound)."""
    import cProfile
    import pstats

    loop = [batches[i % len(batches)] for i in range(steps)]
    profiler = cProfile.Profile()
    profiler.enable()
    lightning_run(copy.deepcopy(module), fixed_loader(loop), trainer_cfg, steps)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    own = sum(tt for (path, _, _), (_, _, tt, _, _) in stats.items() if "lightning" in path)
    return round(1000 * own / steps, 2)
