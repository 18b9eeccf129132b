"""Config helpers shared by the CLI wrappers and the engine: resolvers and consistency checks."""
from __future__ import annotations

import os
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from suite.errors import UserError

CONF_DIR = Path(__file__).resolve().parents[1] / "conf"


def _wandb_key_configured() -> bool:
    if os.environ.get("WANDB_API_KEY"):
        return True
    netrc = Path(os.environ.get("NETRC", Path.home() / ".netrc"))
    return netrc.is_file() and "api.wandb.ai" in netrc.read_text(errors="ignore")


def register_resolvers() -> None:
    """Resolvers used by conf/; safe to call more than once."""
    if not OmegaConf.has_resolver("suite_wandb_offline"):
        OmegaConf.register_new_resolver("suite_wandb_offline", lambda: not _wandb_key_configured())


register_resolvers()


def choices(group: str) -> list[str]:
    """Option names of a config group, e.g. choices('data') -> ['coco', 'flickr8k', ...]."""
    return sorted(p.stem for p in (CONF_DIR / group).glob("*.yaml"))


def choices_for_task(group: str, task: str) -> list[str]:
    """Options of `group` (data or model) whose `task:` key names this task."""
    found = []
    for name in choices(group):
        node = OmegaConf.load(CONF_DIR / group / f"{name}.yaml")
        if node.get("task") == task:
            found.append(name)
    return found


def check_consistency(cfg: DictConfig) -> None:
    """A data or model config used with the wrong task is a user error, not a crash later."""
    task = cfg.task.name
    for group in ("data", "model"):
        node = cfg.get(group)
        if node is None:
            raise UserError(f"no {group} config selected: pick one of {group}={','.join(choices_for_task(group, task))}")
        if node.get("task") != task:
            valid = ",".join(choices_for_task(group, task))
            raise UserError(
                f"{group}={node.get('name')} is for task={node.get('task')}, not task={task}: "
                f"use one of {group}={valid}"
            )
    for key in ("root", "path"):
        if OmegaConf.is_missing(cfg.data, key):  # `root: ???` in the data config
            raise UserError(f"data={cfg.data.name} needs data.{key}: add data.{key}=/path/to/{cfg.data.name}")
    from suite.typecheck import check_types

    check_types(cfg, CONF_DIR)


def checkpoint_file(ckpt_path) -> Path:
    """The checkpoint's path, checked before torch loads (suite-eval and suite-predict call this
    first): a mistyped path is one line at once, not after seconds of imports."""
    path = Path(str(ckpt_path)).expanduser()
    if not path.is_file():
        raise UserError(f"checkpoint '{path}' not found: pass ckpt_path=<run dir>/checkpoints/last.ckpt")
    return path


def check_checkpoint_given(cfg: DictConfig) -> None:
    if "ckpt_path" in cfg and not OmegaConf.is_missing(cfg, "ckpt_path") and cfg.ckpt_path is not None:
        checkpoint_file(cfg.ckpt_path)


def predict_keys() -> set[str]:
    """The options suite-predict has for every task (conf/predict.yaml)."""
    return set(OmegaConf.load(CONF_DIR / "predict.yaml").keys())


def with_task_options(cfg: DictConfig, task: str) -> DictConfig:
    """suite-predict's config with the task's own options (conf/task/<task>.yaml, task.predict)
    as defaults under the ones given; an option neither knows is a one-line error."""
    path = CONF_DIR / "task" / f"{task}.yaml"
    options = OmegaConf.select(OmegaConf.load(path), "task.predict", default=None) if path.is_file() else None
    options = options or OmegaConf.create({})
    unknown = sorted(set(cfg.keys()) - predict_keys() - set(options.keys()) - {"hydra"})
    if unknown:
        valid = ", ".join(sorted(options.keys())) or "none"
        raise UserError(f"{unknown[0]}= is not a suite-predict option for task={task}: its own options are {valid}")
    merged = OmegaConf.merge(options, cfg)
    OmegaConf.set_struct(merged, True)
    return merged


def to_plain(node) -> dict:
    """Resolved plain-python copy of a config node (safe to store in a checkpoint)."""
    return OmegaConf.to_container(node, resolve=True, throw_on_missing=False)
