"""make bench's README blocks: they agree with benchmarks/results.json, name the code and torch behind
each table, and show the full trainer's overhead and the recipe's own beam."""
from __future__ import annotations

from types import SimpleNamespace

from benchmarks import readme, report
from benchmarks.common import compose
from benchmarks.harness import _default_beam
from suite.config import to_plain

ENTRY = {"device": "cpu X", "trainer": "cpu", "precision": "32-true", "item": "images", "train_images_per_s": 200.0,
         "train_caption_tokens_per_s": 2500.0, "train_step_ms": 270.0, "overhead_ratio": 1.01,
         "overhead_ratio_full": 1.2, "step_ms_lightning_full": 330.0, "step_ms_bare_pytorch_full": 275.0,
         "overhead_steps_full": 20, "decode_beam1_images_per_s": 800.0, "decode_beam3_images_per_s": 500.0,
         "decode_beam5_images_per_s": 390.0, "default_beam": 3, "torch": "2.x", "commit": "abc123",
         "code_changed_since_commit": True, "date": "2026-11-27", "load_average_1min": 0.4}


def test_readme_bench_block_agrees_with_results_json():
    assert "<!-- bench:summary -->" in (readme.ROOT / "README.md").read_text()
    assert readme.stale_blocks() == [], "regenerate with `python -m benchmarks.readme` (make bench does it)"


def test_a_hand_edited_block_is_found_stale_and_rewritten(tmp_path):
    results = {"captioning": ENTRY}
    path = tmp_path / "README.md"
    path.write_text(f"intro\n<!-- bench:captioning -->\n{readme.expected_block('captioning', results)}"
                    "<!-- /bench:captioning -->\nafter\n")
    assert readme.stale_blocks(results, [path]) == []
    path.write_text(path.read_text().replace("200.0 images", "250.0 images"))  # a figure typed over
    assert readme.stale_blocks(results, [path]) == ["README.md: bench:captioning"]
    readme.write_blocks(results, [path])
    assert readme.stale_blocks(results, [path]) == [] and path.read_text().endswith("after\n")


def test_tables_name_commit_torch_and_load_and_flag_entries_without_them():
    old = {k: v for k, v in ENTRY.items() if k not in ("commit", "code_changed_since_commit", "date", "load_average_1min")}
    text = readme.expected_block("summary", {"captioning": ENTRY, "translation": {**old, "torch": "2.y"}})
    assert "torch 2.x, 2.y" in text and "commit abc123 with uncommitted changes, 2026-11-27, load average 0.4" in text
    assert "no commit recorded for translation" in text
    assert "Not measured yet" in readme.expected_block("dna", {"captioning": ENTRY})


def test_summary_shows_full_overhead_and_the_recipes_beam():
    row = next(line for line in report._summary({"captioning": ENTRY}) if line.startswith("| captioning"))
    assert "| 1.01 / 1.2 |" in row and "| 500.0 (beam 3) |" in row
    missed = "\n".join(report._profile("captioning", ENTRY, {}))
    assert "overhead_ratio_full 1.2" in missed and "adds 55.0 ms to a 275.0 ms bare step" in missed


def test_default_beam_is_the_recipes_own(tmp_path):
    captioning = compose(["task=captioning"], tmp_path)  # conf/model/show_attend_tell.yaml decodes with beam 3
    assert _default_beam(SimpleNamespace(hparams={"model": to_plain(captioning.model)})) == 3
    greedy = {"model": {"decode": {"strategy": "greedy", "beam_size": 4}}}  # dialogue: beam_size is for strategy=beam
    assert _default_beam(SimpleNamespace(hparams=greedy)) == 1
    assert _default_beam(SimpleNamespace(hparams={"model": {"decode": {"strategy": "sample"}}})) is None
    assert _default_beam(SimpleNamespace(hparams={"model": {}})) is None  # a classifier
