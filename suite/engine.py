"""train / evaluate / predict as plain functions of a config: testable and sweepable, no Hydra inside.

Every run writes into its run dir: checkpoints/ (last.ckpt + the best by the task's monitor),
metrics.json (val/* of the best checkpoint, test/* evaluated with it) and the logger's files.
"""
from __future__ import annotations

import json
import logging
import os
from datetime import timedelta
from pathlib import Path

import pytorch_lightning as pl
import torch
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf
from pytorch_lightning.callbacks import EarlyStopping, LearningRateMonitor, ModelCheckpoint, RichProgressBar
from pytorch_lightning.loggers import WandbLogger
from pytorch_lightning.utilities import rank_zero_only

from suite.budget import BudgetPlanner, parse_budget
from suite.callbacks.convergence import Convergence
from suite.callbacks.prediction_table import PredictionTable
from suite.callbacks.timeline import Timeline
from suite.checkpoint import AtomicCheckpointIO, load_module, read_checkpoint
from suite.config import check_consistency, to_plain, with_task_options
from suite.console import print_config, print_summary
from suite.errors import UserError
from suite.min_steps import epochs_for, steps_per_epoch
from suite.registry import get_task
from suite.resume import resolve_resume

log = logging.getLogger(__name__)


def _setup_process(cfg: DictConfig) -> None:
    if cfg.get("threads"):
        torch.set_num_threads(int(cfg.threads))
    pl.seed_everything(int(cfg.seed), workers=True, verbose=False)


def _loggers(cfg: DictConfig, run_dir: Path, wandb_id: str | None) -> list:
    loggers = []
    for name, node in (cfg.get("logger") or {}).items():
        if not OmegaConf.is_dict(node) or "_target_" not in node:
            continue  # a switch shared by the logger nodes (logger.offline, logger.log_model)
        kwargs = {"save_dir": str(run_dir)}
        if name == "wandb" and wandb_id:
            kwargs.update(id=wandb_id, resume="allow")  # the resumed run continues the same W&B run
        loggers.append(instantiate(node, **kwargs))
    return loggers


def _write_metrics(run_dir: Path, metrics: dict) -> None:
    path = run_dir / "metrics.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(metrics, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)  # readers never see a half-written file


def _floats(metrics: dict, prefix: str) -> dict:
    return {k: float(v) for k, v in metrics.items() if k.startswith(prefix)}


def train(cfg: DictConfig) -> dict:
    """Fit, test the best checkpoint, write metrics.json; returns the metrics dict."""
    check_consistency(cfg)
    if cfg.get("budget"):
        parse_budget(cfg.budget)  # a malformed budget fails before any data is read
    task = get_task(cfg.task.name)
    run_dir, ckpt_path, wandb_id = resolve_resume(cfg)
    _setup_process(cfg)
    if cfg.get("print_config") and rank_zero_only.rank == 0:
        print_config(cfg)
    datamodule = task.datamodule_class(to_plain(cfg.data))
    datamodule.prepare_data()
    datamodule.setup("fit")
    module = task.module_class(model=to_plain(cfg.model), meta=datamodule.metadata())
    limit = cfg.get("max_nonfinite_steps")
    module.max_nonfinite_steps = 10 if limit is None else int(limit)
    if cfg.get("compile"):
        backend = "inductor" if cfg.compile is True else str(cfg.compile)
        parts = module.compile_parts(backend)
        log.info("torch.compile (%s): %s", backend,
                 ", ".join(parts) if parts else f"nothing in {task.name} gains from it, left eager")
    loggers = _loggers(cfg, run_dir, wandb_id)
    try:
        return _fit_and_test(cfg, datamodule, module, loggers, run_dir, ckpt_path)
    finally:
        _finish_wandb(loggers)


def _finish_wandb(loggers: list) -> None:
    """Close this run's W&B run, so the next train() in the same process (a sweep) starts its own."""
    for logger in loggers:
        if isinstance(logger, WandbLogger) and logger._experiment is not None:
            logger.experiment.finish()


def _on_command_line(*keys: str) -> bool:
    """Whether the user typed one of these keys (a length they chose is not raised by task.min_steps).
    A config composed in code (benchmarks, tests) counts as chosen: its lengths are taken as given."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return True
    typed = [o.lstrip("+").split("=", 1)[0] for o in HydraConfig.get().overrides.task]
    return any(key in typed for key in keys)


def _length(cfg: DictConfig, module, datamodule) -> tuple[list, dict]:
    """Callbacks and trainer arguments that decide how long training runs: budget=, task.min_steps,
    early stopping."""
    callbacks: list = []
    trainer_args: dict = {}
    min_steps = cfg.task.get("min_steps")
    chosen = _on_command_line("trainer.max_epochs", "trainer.max_steps", "trainer.limit_train_batches")
    if min_steps and not cfg.get("budget") and not chosen:
        devices, nodes = cfg.trainer.get("devices"), cfg.trainer.get("num_nodes") or 1
        world = (devices if isinstance(devices, int) and devices > 0 else 1) * int(nodes)
        per_epoch = steps_per_epoch(datamodule, int(cfg.trainer.get("accumulate_grad_batches") or 1), world)
        trainer_args["max_epochs"] = epochs_for(cfg.trainer.get("max_epochs"), int(min_steps), per_epoch)
    patience = (cfg.get("early_stopping") or {}).get("patience")
    if patience:
        callbacks.append(EarlyStopping(monitor=cfg.task.monitor, mode=cfg.task.mode, patience=int(patience)))
    if cfg.get("budget"):
        seconds = parse_budget(cfg.budget)
        planner = BudgetPlanner(seconds)
        module.lr_progress = planner.progress  # the schedule ends when the budget does
        callbacks.append(planner)
        trainer_args = {"max_epochs": -1, "max_steps": -1, "max_time": timedelta(seconds=seconds)}
    return callbacks, trainer_args


def build_trainer(cfg: DictConfig, datamodule, module, loggers: list, run_dir: Path,
                  extra_callbacks: tuple = ()) -> tuple[pl.Trainer, ModelCheckpoint, Convergence]:
    """The Trainer a user's run fits with (checkpoints, timeline, convergence, length, progress bar,
    LR monitor, prediction tables); benchmarks/steps.py times its steps with `extra_callbacks` added."""
    checkpoints = ModelCheckpoint(
        dirpath=run_dir / "checkpoints", filename="best-epoch{epoch:03d}", auto_insert_metric_name=False,
        monitor=cfg.task.monitor, mode=cfg.task.mode, save_top_k=1)
    # Lightning's save_last only refreshes last.ckpt when the monitored metric improved; resume
    # needs the latest state every validation, so a monitor-less callback keeps it
    latest = ModelCheckpoint(dirpath=run_dir / "checkpoints", filename="last", monitor=None, save_top_k=1,
                             enable_version_counter=False)
    more = "raise budget=" if cfg.get("budget") else "raise trainer.max_epochs= or set budget= (e.g. budget=15m)"
    convergence = Convergence(cfg.task.monitor, cfg.task.mode, more=more)
    length_callbacks, length = _length(cfg, module, datamodule)
    callbacks = [checkpoints, latest, Timeline(run_dir), convergence, *length_callbacks, *extra_callbacks]
    # callbacks=<name> adds diagnostics (e.g. gradient_flow); they write into trainer.default_root_dir
    callbacks += [instantiate(node) for node in (cfg.get("callbacks") or {}).values()]
    if cfg.trainer.get("enable_progress_bar"):
        callbacks.append(RichProgressBar())  # steps/s, ETA and the logged losses, one line per stage
    if loggers:  # learning rate and prediction tables only mean something to a logger
        callbacks += [LearningRateMonitor("step"), PredictionTable()]
    trainer: pl.Trainer = instantiate(cfg.trainer, callbacks=callbacks, logger=loggers or False,
                                      default_root_dir=str(run_dir), plugins=[AtomicCheckpointIO()], **length)
    return trainer, checkpoints, convergence


def _fit_and_test(cfg: DictConfig, datamodule, module, loggers: list, run_dir: Path, ckpt_path) -> dict:
    trainer, checkpoints, convergence = build_trainer(cfg, datamodule, module, loggers, run_dir)
    for logger in loggers:  # the whole composed config: what a dashboard filters and groups runs by
        logger.log_hyperparams({k: v for k, v in to_plain(cfg).items() if k != "hydra"})
    trainer.fit(module, datamodule=datamodule, ckpt_path=ckpt_path, weights_only=True)
    if module.nonfinite_total:
        log.warning("skipped %d training steps whose loss was not finite", module.nonfinite_total)
    if module.stop_reason:
        last = run_dir / "checkpoints" / "last.ckpt"
        # full state; the weights are the last finite ones, since skipped steps changed nothing
        trainer.save_checkpoint(last, weights_only=False)
        raise UserError(f"training stopped: {module.stop_reason}; lower model.optimizer.lr or check the data "
                        f"(state saved to {last}, continue with resume={last})")

    best = checkpoints.best_model_path
    if best:
        metrics = dict(read_checkpoint(best)["suite"]["val_metrics"])
    else:  # stopped before its first validation (max_steps under an epoch): validate the final weights
        results = trainer.validate(module, datamodule=datamodule, verbose=False)
        metrics = _floats(results[0] if results else {}, "val/")
    if cfg.get("test_after_fit", True) and datamodule.has_test:
        results = trainer.test(module, datamodule=datamodule, ckpt_path=best or None, weights_only=True,
                               verbose=False)
        metrics.update(_floats(results[0] if results else {}, "test/"))
    if trainer.is_global_zero:
        _write_metrics(run_dir, metrics)
        log.info("metrics %s -> %s", json.dumps(metrics), run_dir / "metrics.json")
        log.info("best checkpoint: %s", best or "none (no validation during fit; the final weights were evaluated)")
        print_summary(run_dir, metrics, best, convergence.line)
    return metrics


def evaluate(cfg: DictConfig) -> dict:
    """Metrics of a checkpoint on a split of its data (or of data.root given on the command line)."""
    ckpt = read_checkpoint(cfg.ckpt_path)
    task = get_task(ckpt["suite"]["task"])
    _setup_process(cfg)
    module = load_module(cfg.ckpt_path, task)
    data = dict(module.meta.data)
    data.update({k: v for k, v in to_plain(cfg.get("data") or {}).items() if v is not None})
    datamodule = task.datamodule_class(data, meta=module.meta)
    datamodule.setup(cfg.split)
    trainer: pl.Trainer = instantiate(cfg.trainer, logger=False, callbacks=[], default_root_dir=str(cfg.run_dir))
    run = trainer.test if cfg.split == "test" else trainer.validate
    if cfg.split == "test" and not datamodule.has_test:
        raise UserError(f"data={data['name']} has no test split: run suite-eval with split=val")
    results = run(module, datamodule=datamodule, verbose=False)
    metrics = {k.replace("val/", f"{cfg.split}/"): float(v) for k, v in (results[0] if results else {}).items()}
    if trainer.is_global_zero:
        _write_metrics(Path(cfg.run_dir), metrics)
    return metrics


def predict(cfg: DictConfig) -> list[dict]:
    """Run the checkpoint's task on `cfg.input`; needs nothing but the checkpoint."""
    ckpt = read_checkpoint(cfg.ckpt_path)
    task = get_task(ckpt["suite"]["task"])
    if cfg.get("task_name") and cfg.task_name != task.name:
        raise UserError(f"{cfg.ckpt_path} is a task={task.name} checkpoint, not task={cfg.task_name}: "
                        f"drop task= or pick a {cfg.task_name} checkpoint")
    cfg = with_task_options(cfg, task.name)
    if cfg.get("input") is None and not task.input_optional:
        raise UserError(f"no input given: add input=FILE (or text) for the {task.name} checkpoint")
    _setup_process(cfg)
    module = load_module(cfg.ckpt_path, task)
    return task.predict_fn(module, cfg)
