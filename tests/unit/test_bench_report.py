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
