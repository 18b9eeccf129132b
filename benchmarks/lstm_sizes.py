"""Fused LSTM throughput against layer size: how close the recurrent kernel (oneDNN on a CPU,
cuDNN on a GPU) gets to the machine's dense matmul peak as batch and width grow.

    python -m benchmarks.lstm_sizes      # figures into benchmarks/results.{json,md} (key lstm_sizes[@gpu])

The default recipes are small (batch 32-64, hidden 128-256) so that they train in minutes on a
laptop CPU; this table shows what the same kernels do at the sizes real corpora use.
"""
from __future__ import annotations

import time

import torch

from benchmarks.common import machine, provenance, save
from benchmarks.flops import matmul_flops

SIZES = [(32, 8, 128), (64, 20, 256), (128, 50, 512), (256, 50, 1024)]  # (batch, steps, hidden = input)


def _seconds(lstm, x, device, autocast) -> float:
    best = float("inf")
    for _ in range(4):  # the first pass picks kernels
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        with autocast:
            out, _ = lstm(x)
        out.float().sum().backward()
        if device.type == "cuda":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    started = provenance()  # commit, torch, and the load average the measurement starts under
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dtypes = [torch.float32] + ([torch.bfloat16] if device.type == "cuda" else [])
    rows = []
    for dtype in dtypes:
        peak = matmul_flops(device, dtype, sizes=(4096, 8192) if device.type == "cuda" else (1024, 2048))
        autocast = torch.autocast("cuda", dtype=dtype, enabled=dtype != torch.float32)
        for batch, steps, hidden in SIZES:
            lstm = torch.nn.LSTM(hidden, hidden, batch_first=True).to(device)
            x = torch.randn(batch, steps, hidden, device=device, requires_grad=True)
            flops = 3 * 2 * batch * steps * 4 * hidden * (2 * hidden)  # forward + backward gate GEMMs
            achieved = flops / _seconds(lstm, x, device, autocast)
            rows.append({"dtype": str(dtype).removeprefix("torch."), "batch": batch, "steps": steps, "hidden": hidden,
                         "gflops": round(achieved / 1e9, 1), "fraction_of_matmul_peak": round(achieved / peak, 3),
                         "matmul_peak_gflops": round(peak / 1e9, 1)})
    save("lstm_sizes" if device.type == "cpu" else "lstm_sizes@gpu", {**started, **machine(), "rows": rows})
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
