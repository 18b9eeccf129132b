"""resume=auto: a re-run of the same command continues the latest matching run from last.ckpt.

"The same command" = the same task overrides (Hydra's .hydra/overrides.yaml) minus `resume`.
The resumed run keeps writing into its original run dir, so one run's files stay together.
DDP child processes inherit the decision from rank 0 through environment variables.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

import yaml
from omegaconf import DictConfig

from suite.errors import UserError

log = logging.getLogger(__name__)

_ENV_RUN_DIR, _ENV_CKPT = "SUITE_RUN_DIR", "SUITE_RESUME_CKPT"


def _current_overrides() -> list[str] | None:
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return None
    return list(HydraConfig.get().overrides.task)


def _same_command(run_dir: Path, overrides: list[str]) -> bool:
    try:
        saved = yaml.safe_load((run_dir / ".hydra" / "overrides.yaml").read_text()) or []
    except (OSError, yaml.YAMLError):
        return False
    strip = lambda items: sorted(o for o in items if not o.lstrip("+~").startswith("resume="))  # noqa: E731
    return strip(saved) == strip(overrides)


def _find_previous(run_dir: Path) -> Path | None:
    """Newest last.ckpt of this run dir or of a sibling run started by the same command."""
    if (run_dir / "checkpoints" / "last.ckpt").is_file():
        return run_dir / "checkpoints" / "last.ckpt"
    overrides = _current_overrides()
    if overrides is None or not run_dir.parent.is_dir():
        return None
    found = [p / "checkpoints" / "last.ckpt" for p in run_dir.parent.iterdir()
             if p != run_dir and (p / "checkpoints" / "last.ckpt").is_file() and _same_command(p, overrides)]
    return max(found, key=lambda p: p.stat().st_mtime, default=None)


def wandb_run_id(run_dir: Path) -> str | None:
    """Id of the W&B run recorded in a run dir (offline-run-<time>-<id> or run-<time>-<id>)."""
    runs = sorted((run_dir / "wandb").glob("*run-*-*"), key=lambda p: p.stat().st_mtime)
    return runs[-1].name.rsplit("-", 1)[-1] if runs else None


def resolve_resume(cfg: DictConfig) -> tuple[Path, str | None, str | None]:
    """-> (run dir to write into, checkpoint to resume from or None, W&B run id to continue or None)."""
    if os.environ.get("LOCAL_RANK", "0") != "0" and os.environ.get(_ENV_RUN_DIR):  # a DDP child: rank 0 decided
        run_dir = Path(os.environ[_ENV_RUN_DIR])
        ckpt = os.environ.get(_ENV_CKPT) or None
        return run_dir, ckpt, wandb_run_id(Path(ckpt).parent.parent) if ckpt else None
    run_dir = Path(str(cfg.run_dir)).absolute()
    resume, ckpt = cfg.get("resume"), None
    if resume == "auto":
        found = _find_previous(run_dir)
        if found is None:
            log.info("resume=auto: no earlier run of this command with a last.ckpt; starting fresh")
        else:
            ckpt, run_dir = str(found), found.parent.parent
    elif resume:
        ckpt = str(Path(str(resume)).expanduser().absolute())
        if not Path(ckpt).is_file():
            raise UserError(f"resume={resume}: no such checkpoint; use resume=auto or a path to a .ckpt file")
    if ckpt:
        log.info("resuming from %s", ckpt)
    run_dir.mkdir(parents=True, exist_ok=True)
    os.environ[_ENV_RUN_DIR], os.environ[_ENV_CKPT] = str(run_dir), ckpt or ""
    # the W&B run recorded beside the checkpoint continues (resume=PATH may point at another run dir)
    return run_dir, ckpt, wandb_run_id(Path(ckpt).parent.parent) if ckpt else None
