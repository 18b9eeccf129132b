"""benchmarks/results.md from results.json: a summary table per device, the profile behind every
figure that misses its goal, then each task's figures in full."""
from __future__ import annotations

from pathlib import Path

RESULTS_MD = Path(__file__).parent / "results.md"

# the goals: (direction, bound); recurrent_flops_fraction is a CPU goal
GOALS = {"overhead_ratio": ("<=", 1.05), "overhead_ratio_full": ("<=", 1.05), "recurrent_flops_fraction": (">=", 0.5),
         "beam5_over_greedy": ("<=", 3.0), "padding_fraction": ("<=", 0.10)}

METHOD = """\
How each figure is measured (`benchmarks/harness.py`, `steps.py`, `flops.py`), on the weights of
a short run of the task's default recipe (`trained_epochs`), in one process per task:

- **train throughput, step time, data wait**: a Lightning run on the real training loader with the
  suite's trainer config; compute is each batch's start to end, data wait the gap before the next.
- **overhead_ratio**: Lightning's training step against a bare PyTorch loop (the same module's
  `training_step`, optimiser, schedule and clipping) run step by step in alternation on the same
  batches; the median of the paired ratios (the VM's speed drifts by up to 30% within seconds).
  A stripped trainer (CSV logger and LR monitor, no checkpoints or other callbacks, no progress bar,
  pre-collated batches; the median leaves out the step in 20 that logs).
- **overhead_ratio_full**: the same alternation through the trainer exactly as a user's run builds
  it (`suite.engine.build_trainer`: checkpoints, timeline, convergence, prediction tables, LR
  monitor, CSV logger, progress bar on) fed by the real training loader, against a bare loop that
  loads its own batches from the same loader; every step counted (logging steps included: whole
  logging periods), total time over total time.
- **recurrent_flops_fraction**: every recurrent call of one training step (fused layers, cells and
  single-step cell functions) is recorded and replayed forward and backward; its gate FLOPs
  (2 x tokens x gates x H x (I + H) per layer and direction, x3 for backward) per second, divided
  by the best dense fp32 matmul FLOP/s measured in the same run. Replayed calls run one by one on
  their own inputs, so their time is, if anything, above their share inside the step.
  `step_gemm_*`: a bare GEMM of the commonest recurrent step's shape (forward and both backward
  GEMMs) timed alone: the ceiling for a step that size.
- **decoding**: greedy, batched beam 5 and the recipe's own beam (`default_beam`: captioning's 3)
  over validation items, encoder included;
  `beam5_over_greedy` is the per-item time ratio. Activity is a classifier: inference only.
  Summarization decodes with beam 4 (its recipe's); dialogue also samples (`decode_sample_*`:
  temperature and top-p of its recipe); music samples a piece as long as each validation piece,
  one event at a time as suite-predict does (`decode_sample_events_per_s`: sampling steps per second).
- **padding_fraction**: padded positions the model computes (captioning's decoder skips the
  padding its batch tensors carry: `padding_fraction_batch_tensors`).
- **peak_rss_mb**: the process's peak resident memory (data, model, measurements).
- **lstm_sizes** (`benchmarks/lstm_sizes.py`): one fused LSTM layer (input = hidden), forward and
  backward, at four sizes, against the dense matmul peak of the same dtype. On a GPU, cuDNN runs
  fp32 RNNs on TF32 tensor cores by default while the fp32 matmul peak is plain fp32: fp32
  fractions there can pass 1.
- `@gpu`: `--trainer gpu` (bf16-mixed). The recurrent FLOP fraction is a CPU goal: on a GPU the
  default recipes are far too small to fill it (see lstm_sizes@gpu for the sizes that do).
"""


def _fmt(value) -> str:
    return "" if value is None else (f"{value:,}" if isinstance(value, int) else str(value))


def _item(result: dict) -> str:
    """The task's item name ("images", "clips", ...): its own figure, else (results written before
    it existed) read off the decoding figure's key."""
    if "item" in result:
        return result["item"]
    key = next(k for k in result if k.startswith(("decode_beam1_", "inference_")) and k.endswith("_per_s"))
    return key.removeprefix("decode_beam1_").removeprefix("inference_").removesuffix("_per_s")


def _overhead(r: dict) -> str | None:
    """The stripped trainer's ratio, then the full trainer's (results written before it existed: the first only)."""
    if "overhead_ratio_full" not in r:
        return r.get("overhead_ratio")
    return f"{_fmt(r.get('overhead_ratio'))} / {r['overhead_ratio_full']}"


def _own_beam(r: dict, item: str) -> str | None:
    """Items/s at the beam the recipe decodes with (`default_beam`; 1 is greedy, in its own column)."""
    beam = r.get("default_beam")
    if not beam or beam == 1:
        return "greedy" if beam == 1 else None
    figure = r.get(f"decode_beam{beam}_{item}_per_s")
    return f"{figure} (beam {beam})" if figure is not None else None


def _summary(results: dict) -> list[str]:
    lines = ["| task | train items/s | train units/s | step ms | data wait | overhead_ratio stripped / full "
             "| recurrent_flops_fraction "
             "| greedy items/s | beam 5 items/s | sampling items/s | recipe's beam items/s | beam5_over_greedy | padding "
             "| peak RSS MB |",
             "|---|" + "---|" * 13]
    for name, r in sorted(results.items()):
        if not any(k.startswith("train_") for k in r):
            continue  # a kernel table (lstm_sizes): in the details below
        item = _item(r)
        units = [k for k in r if k.startswith("train_") and k.endswith("_per_s") and k != f"train_{item}_per_s"]
        row = [name, f"{r[f'train_{item}_per_s']} {item}",
               f"{r[units[0]]} {units[0].removeprefix('train_').removesuffix('_per_s')}" if units else None,
               r.get("train_step_ms"), r.get("train_data_wait_fraction"), _overhead(r),
               r.get("recurrent_flops_fraction"), r.get(f"decode_beam1_{item}_per_s") or r.get(f"inference_{item}_per_s"),
               r.get(f"decode_beam5_{item}_per_s"), r.get(f"decode_sample_{item}_per_s"), _own_beam(r, item),
               r.get("beam5_over_greedy"), r.get("padding_fraction"),
               r.get("peak_rss_mb")]
        lines.append("| " + " | ".join(_fmt(v) for v in row) + " |")
    return lines


def _misses(r: dict) -> list[str]:
    out = []
    for key, (direction, bound) in GOALS.items():
        if key == "recurrent_flops_fraction" and r.get("trainer") != "cpu":
            continue  # a CPU goal: on a GPU, recipes this small are bound by kernel launches (lstm_sizes@gpu)
        value = r.get(key)
        if value is not None and (value > bound if direction == "<=" else value < bound):
            out.append(key)
    return out


def _profile(name: str, r: dict, results_by_name: dict) -> list[str]:
    """Why a figure misses its goal, from the profile figures measured beside it."""
    lines = []
    if r.get("nonfinite_check") is False:
        return lines  # a variant of the entry beside it, quoted there
    for key in _misses(r):
        if key == "recurrent_flops_fraction":
            lines.append(
                f"- **{name}: recurrent_flops_fraction {r[key]}** (goal >= 0.5). The recurrent part is "
                f"{r['recurrent_calls_per_step']} call(s) a step ({r['recurrent_share_of_step']:.0%} of the step's time "
                f"when replayed). Its commonest step is a {r['step_gemm_shape']} GEMM (rows x (I+H) x gates*H): alone, "
                f"that GEMM reaches {r['step_gemm_gflops']} GFLOP/s, {r['step_gemm_fraction']:.0%} of the "
                f"{r['matmul_gflops']} GFLOP/s dense peak; the recurrent calls reach {r['recurrent_gflops']} GFLOP/s, "
                f"{r['recurrent_gflops'] / r['step_gemm_gflops']:.0%} of that ceiling. The rest is what a GEMM does not "
                f"have: the gates' element-wise work and the dispatch of every step, which steps this small cannot "
                f"amortise. Wider layers or batches move both towards the peak.")
        elif key == "overhead_ratio":
            extra = r["step_ms_lightning"] - r["step_ms_bare_pytorch"]
            text = (f"- **{name}: overhead_ratio {r[key]}** (goal <= 1.05): Lightning adds {extra:.1f} ms to a "
                    f"{r['step_ms_bare_pytorch']} ms step; its own Python takes at most "
                    f"{r.get('lightning_python_ms_per_step')} ms of that (hook dispatch, result bookkeeping, the LR monitor).")
            if r.get("trainer") == "gpu":
                text += (" On the GPU the rest is not attributed yet. The suite's non-finite-loss check reads the loss "
                         "on the host every step (a synchronisation the bare loop lacks); `max_nonfinite_steps=0` turns "
                         "it off")
                twin = results_by_name.get(f"{name} (no non-finite check)")
                text += f", which moved this ratio to {twin['overhead_ratio']}." if twin else "."
            lines.append(text)
        elif key == "overhead_ratio_full":
            extra = r["step_ms_lightning_full"] - r["step_ms_bare_pytorch_full"]
            lines.append(f"- **{name}: overhead_ratio_full {r[key]}** (goal <= 1.05): the trainer as a user's run builds "
                         f"it adds {extra:.1f} ms to a {r['step_ms_bare_pytorch_full']} ms bare step (loading included), "
                         f"over {r.get('overhead_steps_full')} steps; the stripped trainer's ratio is "
                         f"{r.get('overhead_ratio')}: the difference is the callbacks, the progress bar and the logging steps.")
        elif key == "beam5_over_greedy":
            lines.append(f"- **{name}: beam5_over_greedy {r[key]}** (goal <= 3): five rows per input every step; "
                         f"the decoder's GEMMs grow with the rows while greedy's small ones run below peak.")
        elif key == "padding_fraction":
            lines.append(f"- **{name}: padding_fraction {r[key]}** (goal <= 0.10).")
    return lines


def _details(name: str, r: dict) -> list[str]:
    lines = [f"## {name}", "", "| figure | value |", "|---|---|"]
    lines += [f"| {k} | {_fmt(v)} |" for k, v in r.items() if not isinstance(v, (list, dict))]
    for k, v in r.items():
        if isinstance(v, list) and v and isinstance(v[0], dict):
            cols = list(v[0])
            lines += ["", f"{k}:", "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
            lines += ["| " + " | ".join(str(row.get(c, "")) for c in cols) + " |" for row in v]
    return lines + [""]


def provenance_line(group: dict) -> str:
    """The code and conditions behind a group of entries: commit (and whether tracked files had
    uncommitted changes), torch, date and the load average each measurement started under."""
    recorded = {k: r for k, r in group.items() if "commit" in r}
    torches = sorted({r["torch"] for r in group.values() if "torch" in r})
    parts = [f"torch {', '.join(torches) or 'not recorded'}"]
    if recorded:
        commits = sorted({r["commit"] + (" with uncommitted changes" if r.get("code_changed_since_commit") else "")
                          for r in recorded.values()})
        dates = sorted({r["date"] for r in recorded.values()})
        loads = sorted(r["load_average_1min"] for r in recorded.values())
        load = f"{loads[0]}" if loads[0] == loads[-1] else f"{loads[0]}-{loads[-1]}"
        parts.append(f"commit {', '.join(commits)}, {' to '.join(dict.fromkeys([dates[0], dates[-1]]))}, "
                     f"load average {load} at the start")
    missing = sorted(set(group) - set(recorded))
    if missing:
        parts.append(f"no commit recorded for {', '.join(missing)} (measured before `make bench` recorded it)")
    return "Measured with " + "; ".join(parts) + "."


def summary_sections(results: dict, level: str = "##") -> list[str]:
    """A summary table per device, each headed by the provenance of its entries."""
    lines = []
    for device in sorted({r.get("device", "?") for r in results.values()}):
        group = {k: v for k, v in results.items() if v.get("device", "?") == device}
        precision = sorted({str(v["precision"]) for v in group.values() if "precision" in v})
        title = f"{level} Summary: {device}" + (f", {', '.join(precision)}" if precision else "")  # lstm_sizes has none
        lines += [title, "", provenance_line(group), "", *_summary(group), ""]
    return lines


def write_markdown(results: dict) -> None:
    lines = ["# Benchmark results", "", "Written by `make bench` from `results.json`.", "", *summary_sections(results)]
    profiles = [line for name, r in sorted(results.items()) for line in _profile(name, r, results)]
    lines += ["## Goals missed, with their profiles", ""]
    lines += profiles or ["None: every figure meets its goal."]
    lines += ["", "## Method", "", METHOD]
    for name, r in sorted(results.items()):
        lines += _details(name, r)
    RESULTS_MD.write_text("\n".join(lines))
