"""The start-of-run config tree and the end-of-run summary."""
from rich.console import Console

from suite.console import config_tree, summary_lines, wandb_sync_command
from tests.conftest import compose_train


def test_config_tree_shows_every_group_resolved(tmp_path):
    cfg = compose_train(tmp_path, ["task=translation"])
    console = Console(width=200, record=True)
    console.print(config_tree(cfg))
    text = console.export_text()
    for group in ("task", "data", "model", "trainer", "logger"):
        assert f"── {group}" in text
    assert "name: synthetic_pairs" in text and "${" not in text  # interpolations resolved


def test_summary_names_the_files_and_the_wandb_sync_command(tmp_path):
    assert wandb_sync_command(tmp_path) is None
    (tmp_path / "wandb" / "offline-run-20260101_000000-abc123").mkdir(parents=True)
    lines = summary_lines(tmp_path, {"val/acc": 0.9}, str(tmp_path / "checkpoints" / "best.ckpt"))
    assert f"run dir: {tmp_path}" in lines
    assert f"metrics: {tmp_path / 'metrics.json'}" in lines
    assert lines[-1] == f"upload to W&B: wandb sync {tmp_path / 'wandb' / 'offline-run-20260101_000000-abc123'}"
