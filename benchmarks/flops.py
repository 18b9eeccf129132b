"""Achieved FLOP/s of the recurrent part of a training step, against dense matmul FLOP/s.

One training forward runs with hooks on every recurrent layer and cell (nn.LSTM/GRU/RNN and
their Cell versions) and on torch's single-step cell functions (torch.lstm_cell, ...: the Luong
decoder's input-feeding steps call them on its layer's weights); each call's inputs are recorded. The recorded calls are then replayed,
forward and backward, exactly as training ran them (same shapes, packed sequences, per-step
cell calls with their Python overhead) and timed. FLOPs count the gate matmuls only:
2 x tokens x gates x H x (I + H) per layer and direction forward, backward twice that (input and
weight gradients): the element-wise gate maths is a few percent on top and left out, as is usual.
"""
from __future__ import annotations

import time

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence

GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
CELL_FUNCTIONS = ("lstm_cell", "gru_cell", "rnn_tanh_cell", "rnn_relu_cell")


def _gates(module: nn.Module) -> int:
    name = type(module).__name__
    return GATES[name.removesuffix("Cell")]


def _tokens(module: nn.Module, x) -> int:
    if isinstance(x, PackedSequence):
        return int(x.data.shape[0])  # only the real (unpadded) steps are computed
    if isinstance(module, nn.RNNCellBase):
        return int(x.shape[0]) if x.dim() == 2 else 1
    return int(x.numel() // x.shape[-1])


def forward_flops(module, x, args=()) -> int:
    if not isinstance(module, nn.Module):  # a cell function: (input (N, I), hx, w_ih (G*H, I), w_hh (G*H, H), ...)
        w_ih, w_hh = args[2], args[3]
        return 2 * int(x.shape[0]) * w_ih.shape[0] * (w_ih.shape[1] + w_hh.shape[1])
    gates, tokens, hidden = _gates(module), _tokens(module, x), module.hidden_size
    if isinstance(module, nn.RNNCellBase):
        return 2 * tokens * gates * hidden * (module.input_size + hidden)
    dirs = 2 if module.bidirectional else 1
    total = 0
    for layer in range(module.num_layers):
        inputs = module.input_size if layer == 0 else hidden * dirs
        total += dirs * 2 * tokens * gates * hidden * (inputs + hidden)
    return total


def _leaf(x):
    """A detached copy of the recorded input that needs a gradient (floating tensors only)."""
    if isinstance(x, PackedSequence):
        return PackedSequence(_leaf(x.data), x.batch_sizes, x.sorted_indices, x.unsorted_indices)
    if isinstance(x, torch.Tensor):
        y = x.detach().clone()
        return y.requires_grad_(y.is_floating_point())
    if isinstance(x, tuple):
        return tuple(_leaf(v) for v in x)
    return x


def _first_tensor(out) -> torch.Tensor:
    while not isinstance(out, torch.Tensor):
        out = out.data if isinstance(out, PackedSequence) else out[0]
    return out


def record_calls(module: nn.Module, run_step) -> list[tuple]:
    """(layer or cell function, inputs) for every recurrent call that `run_step()` makes."""
    calls: list = []

    def on_module(m, args):
        if isinstance(m, (nn.RNNBase, nn.RNNCellBase)):
            calls.append((m, _leaf(args)))

    # a global hook: it also sees the weightless stand-ins that suite.nn runs with a layer's weights
    hooks = [torch.nn.modules.module.register_module_forward_pre_hook(on_module)]
    originals = {name: getattr(torch, name) for name in CELL_FUNCTIONS}

    def recorder(fn):
        def call(*args):
            calls.append((fn, _leaf(args)))
            return fn(*args)
        return call

    for name, fn in originals.items():
        setattr(torch, name, recorder(fn))
    try:
        run_step()
    finally:
        for h in hooks:
            h.remove()
        for name, fn in originals.items():
            setattr(torch, name, fn)
    return calls


def replay_seconds(calls: list, repeat: int = 3) -> float:
    """Best wall time of the recorded calls forward and backward."""
    best = float("inf")
    for _ in range(repeat + 1):  # the first pass warms up oneDNN's kernel choice per shape
        inputs = [(m, _leaf(args)) for m, args in calls]
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        start = time.perf_counter()
        outs = [_first_tensor(m(*args)) for m, args in inputs]
        torch.autograd.backward(outs, [torch.ones_like(o) for o in outs])
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return best


def matmul_flops(device: torch.device, dtype=torch.float32, sizes=(1024, 2048)) -> float:
    """The machine's dense matmul FLOP/s: best over a few square sizes and three timing windows
    (a shared VM's speed drifts; the best window is the hardware's)."""
    best = 0.0
    for n in sizes:
        a, b = torch.randn(n, n, device=device, dtype=dtype), torch.randn(n, n, device=device, dtype=dtype)
        for _ in range(2):
            a @ b
        reps = 5
        for _ in range(3):
            if device.type == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            for _ in range(reps):
                a @ b
            if device.type == "cuda":
                torch.cuda.synchronize()
            best = max(best, 2 * n**3 * reps / (time.perf_counter() - start))
    return best


def step_shape(m, x, args) -> tuple[int, int, int]:
    """(rows, I + H, gates * H): the gate GEMM every recurrent step runs."""
    if not isinstance(m, nn.Module):
        return int(x.shape[0]), args[2].shape[1] + args[3].shape[1], args[2].shape[0]
    if isinstance(x, PackedSequence):
        rows = int(x.batch_sizes[0])
    else:
        rows = int(x.shape[0]) if isinstance(m, nn.RNNCellBase) or m.batch_first else int(x.shape[1])
    return rows, m.input_size + m.hidden_size, _gates(m) * m.hidden_size


def gemm_flops(rows: int, inner: int, cols: int, device: torch.device, reps: int = 50) -> float:
    """FLOP/s of one step's three GEMMs at this shape (forward, input gradient, weight gradient):
    what the hardware gives a recurrent step of this size, before any recurrence overhead."""
    x, w, dy = (torch.randn(rows, inner, device=device), torch.randn(cols, inner, device=device),
                torch.randn(rows, cols, device=device))
    best = float("inf")
    for _ in range(3):
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(reps):
            x @ w.t()
            dy @ w
            dy.t() @ x
        if device.type == "cuda":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return 3 * 2 * rows * inner * cols * reps / best


def recurrent_figures(module: nn.Module, run_step, step_seconds: float) -> dict:
    """recurrent_flops_fraction and what it is made of; `run_step()` runs one training forward."""
    calls = record_calls(module, run_step)
    flops = 3 * sum(forward_flops(m, args[0], args) for m, args in calls)  # forward + backward
    seconds = replay_seconds(calls)
    peak = matmul_flops(next(module.parameters()).device)
    achieved = flops / seconds
    shapes = [step_shape(m, args[0], args) for m, args in calls]
    shape = max(set(shapes), key=shapes.count)  # the commonest step GEMM
    ceiling = gemm_flops(*shape, next(module.parameters()).device)
    return {"recurrent_calls_per_step": len(calls), "recurrent_gflop_per_step": round(flops / 1e9, 3),
            "recurrent_ms_per_step": round(1000 * seconds, 1),
            "recurrent_share_of_step": round(seconds / step_seconds, 3),
            "recurrent_gflops": round(achieved / 1e9, 1), "matmul_gflops": round(peak / 1e9, 1),
            "recurrent_flops_fraction": round(achieved / peak, 3),
            # the gap's profile: what a bare GEMM of the step's own shape reaches on this machine
            "step_gemm_shape": "x".join(map(str, shape)), "step_gemm_gflops": round(ceiling / 1e9, 1),
            "step_gemm_fraction": round(ceiling / peak, 3)}
