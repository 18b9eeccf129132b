"""Char-RNN LightningModule: stateful truncated BPTT; loss in nats, bits per character against the
unigram baseline (a model that knows only how often each character occurs)."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from suite.module import SuiteModule
from suite.nn.cells import RNNS, check_cell
from suite.nn.gradient_probe import stepwise_states


def bits_per_char(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean -log2 p(target): logits (..., V), targets (...)."""
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)).float(), targets.reshape(-1)) / math.log(2)


def unigram_log2probs(counts: list[int]) -> torch.Tensor:
    """log2 p(char) from training counts, add-one smoothed so unseen characters cost finite bits: (V,)."""
    c = torch.tensor(counts, dtype=torch.float64) + 1
    return torch.log2(c / c.sum())


def summarise(sums: torch.Tensor) -> dict[str, float]:
    """(nats, unigram bits, characters) summed over val -> val/loss (nats), val/bpc, val/bpc_unigram."""
    nats, unigram_bits, n = sums.tolist()
    if not n:
        return {}
    return {"val/loss": nats / n, "val/bpc": nats / n / math.log(2), "val/bpc_unigram": unigram_bits / n}


class CharRNN(nn.Module):
    def __init__(self, vocab_size: int, *, cell: str, embed_size: int, hidden_size: int, num_layers: int,
                 dropout: float):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.rnn = RNNS[check_cell(cell)](embed_size, hidden_size, num_layers=num_layers, batch_first=True,
                                          dropout=dropout if num_layers > 1 else 0.0)
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, x: torch.Tensor, state=None):
        """ids (B, T) -> (logits (B, T, V), states (B, T, H), final state)."""
        states, state = self.rnn(self.embed(x), state)  # (B, T, E) -> (B, T, H)
        return self.out(self.drop(states)), states, state


def detach(state):
    """Truncate BPTT: keep the values, cut the graph (lstm state is a tuple, gru/rnn a tensor)."""
    if state is None:
        return None
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


class CharLMModule(SuiteModule):
    task_name = "charlm"
    item_kind = "characters"

    def __init__(self, model: dict, meta: dict):
        super().__init__(model, meta)
        self.chars = list(meta["vocab"]["chars"])
        self.index = {c: i for i, c in enumerate(self.chars)}
        self.net = CharRNN(len(self.chars), cell=model["cell"], embed_size=model["embed_size"],
                           hidden_size=model["hidden_size"], num_layers=model["num_layers"], dropout=model["dropout"])
        self.register_buffer("unigram", unigram_log2probs(meta["vocab"]["counts"]).float(), persistent=False)
        self._state = {"train": None, "val": None}  # carried across consecutive batches of each loop
        self._sums = torch.zeros(3, dtype=torch.float64)  # val: nats, unigram bits, characters

    def _carried(self, batch: dict, loop: str):
        if batch["first"]:
            self._state[loop] = None  # a new pass over the streams starts from zeros
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

    def on_train_epoch_start(self) -> None:
        self._state["train"] = None

    def on_validation_epoch_start(self) -> None:
        self._state["val"] = None
        self._sums = torch.zeros(3, dtype=torch.float64, device=self.device)

    def validation_step(self, batch: dict, batch_idx: int) -> None:
        logits, _, state = self.net(batch["x"], self._carried(batch, "val"))
        self._state["val"] = state
        y = batch["y"]
        nats = F.cross_entropy(logits.flatten(0, 1).float(), y.flatten(), reduction="sum")
        self._sums += torch.stack([nats.double(), -self.unigram[y].double().sum(), torch.tensor(y.numel(),
                                   dtype=torch.float64, device=self.device)])
        if self.keep_examples and not self.examples:
            self.examples = [{"sample": self.sample("def ", 200, temperature=0.8)}]

    def on_validation_epoch_end(self) -> None:
        super().on_validation_epoch_end()
        for name, value in summarise(self.trainer.strategy.reduce(self._sums, reduce_op="sum")).items():
            self.log(name, value)

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


Module = CharLMModule  # the name suite.registry looks up
