"""Char-RNN LightningModule: stateful truncated BPTT; loss in nats, bits per character against the
unigram baseline (a model that knows only how often each character occurs)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from suite.module import SuiteModule
from suite.nn.language_model import RecurrentLM
from suite.nn.gradient_probe import stepwise_states
from tasks.charlm.meta import CharLMMeta


def bits_per_char(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean -log2 p(target): logits (..., V), targets (...)."""
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)).float(), targets.reshape(-1)) / math.log(2)


def unigram_log2probs(counts: list[int]) -> torch.Tensor:
    """log2 p(char) from training counts, add-one smoothed so unseen characters cost finite bits: (V,)."""
    c = torch.tensor(counts, dtype=torch.float64) + 1
    return torch.log2(c / c.sum())


def detach(state):
    """Truncate BPTT: keep the values, cut the graph (lstm state is a tuple, gru/rnn a tensor)."""
    if state is None:
        return None
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


class CharLMModule(SuiteModule):
    task_name = "charlm"
    item_kind = "characters"
    meta_type = CharLMMeta

    def __init__(self, model: dict, meta: CharLMMeta | dict):
        super().__init__(model, meta)
        self.chars = list(self.meta.chars)
        self.index = {c: i for i, c in enumerate(self.chars)}
        self.net = RecurrentLM(len(self.chars), cell=model["cell"], embed_size=model["embed_size"],
                           hidden_size=model["hidden_size"], num_layers=model["num_layers"], dropout=model["dropout"])
        self.register_buffer("unigram", unigram_log2probs(self.meta.counts).float(), persistent=False)  # (V,)
        self._state = {"train": None, "val": None, "test": None}  # carried across consecutive batches of each loop

    def _carried(self, batch: dict, loop: str):
        if batch["first"]:
            self._state[loop] = None  # a new pass over the streams (every epoch, every validation) starts from zeros
        return self._state[loop]

    def training_step(self, batch: dict, batch_idx: int):
        logits, _, state = self.net(batch["x"], self._carried(batch, "train"))  # (B, T, V)
        self._state["train"] = detach(state)  # truncated BPTT: gradients stop at the chunk boundary
        loss = F.cross_entropy(logits.flatten(0, 1), batch["y"].flatten())
        self.log_train("train/loss", loss, batch["x"].size(0), prog_bar=True)
        self.log_train("train/bpc", loss / math.log(2), batch["x"].size(0))
        return loss

    def sequence_outputs(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """(loss, states (B, T, H)) for callbacks=gradient_flow: from a zero state, the loss of the
        chunk's last character only, so the curve shows how far back its gradient reaches."""
        outs, states = stepwise_states(self.net.rnn, self.net.embed(batch["x"]))  # (B, T, H) twice
        return F.cross_entropy(self.net.out(outs[:, -1]), batch["y"][:, -1]), states

    # --- evaluation ----------------------------------------------------------------------------
    def eval_batch(self, batch: dict, stage: str) -> tuple[None, list[dict]]:
        """One row per batch holding its sums (the streams' state runs on from batch to batch, so a
        batch is the unit); `score` adds the rows of every batch and rank."""
        logits, _, state = self.net(batch["x"], self._carried(batch, stage))  # (B, T, V)
        self._state[stage] = state
        y = batch["y"]  # (B, T)
        nats = F.cross_entropy(logits.flatten(0, 1).float(), y.flatten(), reduction="sum")
        nats, unigram_bits = torch.stack([nats.double(), -self.unigram[y].double().sum()]).tolist()  # one sync
        row = {"nats": nats, "unigram_bits": unigram_bits, "chars": y.numel()}
        if "bpc_xz" in batch:
            row["bpc_xz"] = float(batch["bpc_xz"])  # the same on every rank: `score` takes one
        if batch["first"] and self.collecting_examples(stage):
            row["sample"] = self.sample("def ", 200, temperature=0.8)
        return None, [row]  # the loss is a sum over characters, not a mean of batch means: `score` gives it

    def score(self, rows: list[dict], stage: str) -> dict[str, float]:
        """loss (nats a character), bpc, bpc_unigram (the training unigram baseline) and, when the
        data computed it, bpc_xz (the compressor baseline: xz having read the training text)."""
        n = sum(r["chars"] for r in rows)
        nats = sum(r["nats"] for r in rows)
        scores = {"loss": nats / n, "bpc": nats / n / math.log(2),
                  "bpc_unigram": sum(r["unigram_bits"] for r in rows) / n}
        xz = [r["bpc_xz"] for r in rows if "bpc_xz" in r]
        return {**scores, "bpc_xz": xz[0]} if xz else scores

    def example(self, row: dict) -> dict | None:
        return {"sample": row["sample"]} if "sample" in row else None

    # --- sampling ------------------------------------------------------------------------------
    @torch.no_grad()
    def sample(self, prompt: str, length: int, temperature: float = 1.0, top_k: int | None = None,
               generator: torch.Generator | None = None) -> str:
        """Continue `prompt` by `length` characters (an empty prompt starts after a newline)."""
        was_training = self.training
        self.eval()
        ids = [self.index.get(c, 0) for c in (prompt or "\n")]
        logits, _, state = self.net(torch.tensor([ids], device=self.device))  # warm the state on the prompt
        out = []
        for _ in range(length):
            last = logits[0, -1].float() / max(temperature, 1e-6)  # (V,)
            last[0] = -float("inf")  # never emit the unknown-character placeholder
            if top_k:
                kth = torch.topk(last, min(int(top_k), last.numel())).values[-1]
                last = last.masked_fill(last < kth, -float("inf"))
            nxt = int(torch.multinomial(torch.softmax(last, -1), 1, generator=generator))
            out.append(self.chars[nxt])
            logits, _, state = self.net(torch.tensor([[nxt]], device=self.device), state)
        self.train(was_training)
        return "".join(out)

