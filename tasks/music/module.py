"""Melody RNN: embedding -> LSTM (or GRU / RNN) -> softmax over the next 16th-step event.

Metrics: `nll`, nats per event over every event of the split (each event weighted equally), and
`nll_ngram`, the same for the task's n-gram baseline (ngram.py) on the same events.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from suite.module import SuiteModule
from suite.nn.language_model import RecurrentLM
from tasks.music.events import BOS, FIRST_PITCH_ID, PAD, MusicMeta


class MusicModule(SuiteModule):
    task_name = "music"
    item_kind = "pieces"
    meta_type = MusicMeta

    def __init__(self, model: dict, meta: MusicMeta | dict):
        super().__init__(model, meta)
        sizes = {k: model[k] for k in ("cell", "embed_size", "hidden_size", "num_layers", "dropout")}
        self.net = RecurrentLM(self.meta.vocab_size, pad_id=PAD, **sizes)

    def training_step(self, batch: dict, batch_idx: int):
        logits, _, _ = self.net(batch["x"])  # (B, T, V)
        loss = F.cross_entropy(logits.float().flatten(0, 1), batch["y"].flatten(), ignore_index=PAD)
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        return loss

    def eval_batch(self, batch: dict, stage: str) -> tuple[torch.Tensor, list[dict]]:
        logits, _, _ = self.net(batch["x"])  # (B, T, V)
        y = batch["y"]
        nll = F.cross_entropy(logits.float().transpose(1, 2), y, ignore_index=PAD, reduction="none")  # (B, T)
        per_item = nll.sum(1).double().tolist()
        counts = (y != PAD).sum(1).tolist()
        ngram = batch["ngram"].tolist() if "ngram" in batch else [None] * len(per_item)
        rows = [{"id": i, "nll": s, "n": n, "ngram": g} for i, s, n, g in zip(batch["ids"], per_item, counts, ngram)]
        return nll.sum() / max(sum(counts), 1), rows

    def score(self, rows: list[dict], stage: str) -> dict[str, float]:
        n = sum(r["n"] for r in rows)
        out = {"nll": sum(r["nll"] for r in rows) / n}
        if all(r["ngram"] is not None for r in rows):
            out["nll_ngram"] = sum(r["ngram"] for r in rows) / n
        return out

    # --- sampling ------------------------------------------------------------------------------
    @torch.no_grad()
    def sample(self, primer: list[int], steps: int, temperature: float = 1.0, top_k: int | None = None,
               generator: torch.Generator | None = None) -> list[int]:
        """`steps` events continuing `primer` (event ids; empty: from the start symbol alone)."""
        was_training = self.training
        self.eval()
        logits, _, state = self.net(torch.tensor([[BOS, *primer]], device=self.device))  # warm the state on the primer
        out = []
        for _ in range(steps):
            last = logits[0, -1].float() / max(temperature, 1e-6)  # (V,)
            last[:FIRST_PITCH_ID - 2] = -float("inf")  # never PAD or BOS
            if top_k:
                kth = torch.topk(last, min(int(top_k), last.numel())).values[-1]
                last = last.masked_fill(last < kth, -float("inf"))
            nxt = int(torch.multinomial(torch.softmax(last, -1).cpu(), 1, generator=generator))
            out.append(nxt)
            logits, _, state = self.net(torch.tensor([[nxt]], device=self.device), state)
        self.train(was_training)
        return out
