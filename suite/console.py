"""What a training run prints: the composed config as a tree at the start, a summary at the end.

Rank zero only; both are plain text when the output is not a terminal (CI logs stay readable).
"""
from __future__ import annotations

from pathlib import Path

from omegaconf import DictConfig, OmegaConf
from rich.console import Console
from rich.table import Table
from rich.tree import Tree

# the groups a user picks on the command line, shown first and in this order
_ORDER = ("task", "data", "model", "trainer", "logger", "callbacks", "paths")


def config_tree(cfg: DictConfig) -> Tree:
    """The resolved config as a rich Tree: one branch per group, values as YAML."""
    tree = Tree("config", guide_style="dim")
    keys = [k for k in _ORDER if k in cfg] + [k for k in cfg if k not in _ORDER]
    for key in keys:
        node = cfg[key]
        branch = tree.add(f"[bold]{key}[/bold]")
        if OmegaConf.is_config(node):
            text = OmegaConf.to_yaml(node, resolve=True).rstrip()
        else:
            text = str(node)
        branch.add(text)
    return tree


def print_config(cfg: DictConfig) -> None:
    Console().print(config_tree(cfg))


def wandb_sync_command(run_dir: Path) -> str | None:
    """`wandb sync ...` for the offline W&B runs in a run dir, or None when there are none."""
    runs = sorted((run_dir / "wandb").glob("offline-run-*"))
    return f"wandb sync {' '.join(str(r) for r in runs)}" if runs else None


def summary_lines(run_dir: Path, metrics: dict, best: str | None) -> list[str]:
    """Where the run's files are (whole paths: they are meant to be copied)."""
    lines = [f"run dir: {run_dir}", f"metrics: {run_dir / 'metrics.json'}",
             f"best checkpoint: {best or 'none (no validation ran during fit): last.ckpt holds the final weights'}"]
    sync = wandb_sync_command(run_dir)
    if sync:
        lines.append(f"upload to W&B: {sync}")
    return lines


def print_summary(run_dir: Path, metrics: dict, best: str | None, trend: str | None = None) -> None:
    console = Console(soft_wrap=True)  # long paths stay whole on narrow or non-terminal outputs
    table = Table(title="metrics", show_header=False, title_justify="left")
    for key in sorted(metrics):
        table.add_row(key, f"{metrics[key]:.4g}")
    console.print(table)
    for line in summary_lines(run_dir, metrics, best):
        console.print(line, highlight=False)
    if trend:  # whether the monitor was still improving (suite.callbacks.convergence)
        console.print(trend, highlight=False)
