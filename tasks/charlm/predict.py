"""suite-predict for charlm: sample text that continues `prompt` (no input needed)."""
from __future__ import annotations

import torch
from omegaconf import DictConfig

from suite.errors import UserError

MAX_LENGTH = 1_000_000  # characters; more is almost surely a typo


def predict(module, cfg: DictConfig) -> list[dict]:
    """One result: {"input": prompt, "text": prompt + sample, "sample"}; input=TEXT is a prompt too."""
    prompt = str(cfg.prompt or "") or str(cfg.input or "")
    length, temperature = int(cfg.length), float(cfg.temperature)
    top_k = None if cfg.get("top_k") in (None, 0) else int(cfg.top_k)
    if not 0 < length <= MAX_LENGTH:
        raise UserError(f"length={length}: sample between 1 and {MAX_LENGTH} characters")
    if temperature <= 0:
        raise UserError(f"temperature={temperature} must be above 0: e.g. temperature=0.8 (lower is more conservative)")
    if top_k is not None and top_k < 1:
        raise UserError(f"top_k={top_k} must be at least 1 (or null for all characters)")
    generator = torch.Generator().manual_seed(int(cfg.seed))  # the same command samples the same text
    sample = module.sample(prompt, length, temperature=temperature, top_k=top_k, generator=generator)
    return [{"input": prompt, "text": prompt + sample, "sample": sample}]
