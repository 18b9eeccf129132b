"""results.md: a summary row per task, and the measured profile behind every missed goal."""
from benchmarks import report

FIGURES = {"device": "cpu X", "trainer": "cpu", "precision": "32-true", "train_images_per_s": 200.0, "train_caption_tokens_per_s": 2500.0,
           "train_step_ms": 270.0, "overhead_ratio": 1.01, "recurrent_flops_fraction": 0.4, "recurrent_calls_per_step": 18,
           "recurrent_share_of_step": 0.1, "step_gemm_shape": "64x448x768", "step_gemm_gflops": 145.0,
           "step_gemm_fraction": 0.8, "matmul_gflops": 180.0, "recurrent_gflops": 72.0, "beam5_over_greedy": 2.1,
           "padding_fraction": 0.0, "decode_beam1_images_per_s": 800.0, "curve": [{"epoch": 0, "minutes": 1.0}]}


def test_a_missed_goal_comes_with_its_profile(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS_MD", tmp_path / "results.md")
    report.write_markdown({"captioning": FIGURES})
    text = (tmp_path / "results.md").read_text()
    assert "| captioning | 200.0 images | 2500.0 caption_tokens | 270.0 |" in text
    assert "captioning: recurrent_flops_fraction 0.4" in text and "64x448x768" in text and "50% of that ceiling" in text
    assert "overhead_ratio 1.01" not in text  # met: no profile paragraph
    assert "| epoch | minutes |" in text  # curves become tables


def test_no_missed_goal_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(report, "RESULTS_MD", tmp_path / "results.md")
    report.write_markdown({"translation": {**FIGURES, "recurrent_flops_fraction": 0.6}})
    assert "None: every figure meets its goal." in (tmp_path / "results.md").read_text()


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def test_generation_tasks_show_their_item_and_sampling(tmp_path, monkeypatch):
    """Music only samples (the sampling column); its item comes from its own figure, so the sampled
    events/s beside the pieces/s does not confuse the row; summarization's beam 4 is in its details."""
    monkeypatch.setattr(report, "RESULTS_MD", tmp_path / "results.md")
    base = {k: v for k, v in FIGURES.items() if "images" not in k and "caption" not in k}
    report.write_markdown({
        "summarization": {**base, "item": "documents", "train_documents_per_s": 90.0, "train_summary_tokens_per_s": 600.0,
                          "decode_beam1_documents_per_s": 380.0, "decode_beam4_documents_per_s": 180.0},
        "music": {**base, "item": "pieces", "train_pieces_per_s": 190.0, "train_events_per_s": 37000.0,
                  "decode_sample_events_per_s": 550.0, "decode_sample_pieces_per_s": 2.9}})
    lines = (tmp_path / "results.md").read_text().splitlines()
    header = _cells(next(line for line in lines if line.startswith("| task |")))
    rows = {c[0]: dict(zip(header, c)) for c in map(_cells, lines) if c[0] in ("music", "summarization")}
    assert rows["music"]["train items/s"] == "190.0 pieces" and rows["music"]["train units/s"] == "37000.0 events"
    assert rows["music"]["sampling items/s"] == "2.9" and rows["music"]["greedy items/s"] == ""
    assert rows["summarization"]["greedy items/s"] == "380.0" and rows["summarization"]["sampling items/s"] == ""
    assert "| decode_beam4_documents_per_s | 180.0 |" in lines
