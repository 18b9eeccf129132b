"""Edge-silence trimming: each utterance cut to the span within `top_db` of its loudest 10 ms frame.

The log-mel features are normalised over each utterance's frames, silence included, so the same word
with 0.1 s or 0.5 s of silence around it gives different features, and recordings differ most in
that (in the shared spoken digits one speaker's clips hold several times the silence of the others').
Cutting the edges makes the features independent of it. Each utterance is measured on its own
samples, so a padded batch trims exactly as each utterance alone. Done inside the model, it applies
alike in training, evaluation and suite-predict.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


def trim_silence(wave: torch.Tensor, lengths: torch.Tensor, *, sample_rate: int, top_db: float,
                 margin_ms: float) -> tuple[torch.Tensor, torch.Tensor]:
    """(B, N) waveforms, (B,) sample counts -> (B, N') trimmed waveforms, (B,) their sample counts."""
    frame = max(1, sample_rate // 100)  # 10 ms energy frames
    margin = int(round(sample_rate * margin_ms / 1000))
    spans = []
    for i, n in enumerate(lengths.tolist()):
        x = F.pad(wave[i, :n].float(), (0, (-n) % frame))  # (frame * K,)
        energy = x.view(-1, frame).pow(2).mean(1)  # (K,)
        peak = energy.max()
        if not peak > 0:
            spans.append((0, n))  # nothing to measure against: keep it whole
            continue
        loud = (energy >= peak * 10 ** (-top_db / 10)).nonzero().squeeze(1)  # frame indices, never empty
        start, end = int(loud[0]) * frame - margin, (int(loud[-1]) + 1) * frame + margin
        spans.append((max(0, start), min(n, end)))
    new = torch.tensor([b - a for a, b in spans], dtype=lengths.dtype, device=lengths.device)  # (B,)
    out = wave.new_zeros(wave.size(0), int(new.max()) if spans else 0)  # (B, N')
    for i, (a, b) in enumerate(spans):
        out[i, : b - a] = wave[i, a:b]
    return out, new
