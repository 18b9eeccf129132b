"""Roommate LightningModule: learn the dish rule with teacher forcing, judge it free-running.

The recurrent step comes two ways behind one interface, step(yesterday's dish, today's weather).
`classic` is the teaching network itself: a food matrix and a weather matrix each map their one-hot
input to 2D numbers (D dishes: the top half says "same dish as yesterday", the bottom half "the next
dish"), a bias of -1 keeps only the entry both agree on, and the combine step adds the two halves
into today's dish. `hand_built` sets exactly those numbers. `rnn | gru | lstm` feed the same two
one-hots to a torch recurrent layer, whose own state also runs through the week.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from suite.errors import UserError
from suite.module import SuiteModule
from suite.nn.cells import RNNS
from suite.nn.gradient_probe import replace_top, through
from tasks.roommate import WEATHER, RoommateMeta

N_WEATHER = len(WEATHER)  # sunny, rainy


class ClassicStep(nn.Module):
    def __init__(self, n_dishes: int):
        super().__init__()
        d = n_dishes
        self.food = nn.Parameter(torch.randn(2 * d, d) * 0.5)  # (2D, D): yesterday's dish -> votes
        self.weather = nn.Parameter(torch.randn(2 * d, N_WEATHER) * 0.5)  # (2D, 2): today's weather -> votes
        self.bias = nn.Parameter(torch.zeros(2 * d))  # (2D,): the threshold (-1 by hand)
        self.combine = nn.Parameter(torch.randn(d, 2 * d) * 0.5)  # (D, 2D): votes -> today's dish
        self.hidden_size = 2 * d

    def forward(self, dish: torch.Tensor, weather: torch.Tensor, state=None, probe=None):
        """dish (B, D), weather (B, 2) one-hot -> (logits (B, D), votes (B, 2D), None: no state of its own).

        Teacher-forced, nothing flows from one day's votes to the next: its gradient flow is one step."""
        votes = F.relu(dish @ self.food.T + weather @ self.weather.T + self.bias)  # (B, 2D)
        if probe is not None:
            votes = through(votes, *probe)
        return votes @ self.combine.T, votes, None

    def matrices(self) -> dict[str, torch.Tensor]:
        return {"food": self.food, "weather": self.weather, "bias": self.bias, "combine": self.combine}


class TorchStep(nn.Module):
    def __init__(self, cell: str, n_dishes: int, hidden_size: int, num_layers: int):
        super().__init__()
        self.rnn = RNNS[cell](n_dishes + N_WEATHER, hidden_size, num_layers=num_layers, batch_first=True)
        self.out = nn.Linear(hidden_size, n_dishes)
        self.n_dishes, self.hidden_size = n_dishes, hidden_size

    def forward(self, dish: torch.Tensor, weather: torch.Tensor, state=None, probe=None):
        """dish (B, D), weather (B, 2) one-hot -> (logits (B, D), h (B, H), the layer's state).

        probe = (states (B, T, H), t): route h through states[:, t] (suite.nn.gradient_probe) for gradient flow."""
        x = torch.cat([weather, dish], dim=1).unsqueeze(1)  # (B, 1, 2 + D)
        out, state = self.rnn(x, state)  # (B, 1, H)
        h = out[:, 0]  # (B, H)
        if probe is not None:
            h = through(h, *probe)
            state = replace_top(state, h)  # the next step reads the probed h
        return self.out(h), h, state

    def matrices(self) -> dict[str, torch.Tensor]:
        w = self.rnn.weight_ih_l0  # (gates * H, 2 + D): columns weather | dish
        return {"weather (input weights, weather columns)": w[:, :N_WEATHER],
                "food (input weights, dish columns)": w[:, N_WEATHER:],
                "recurrent (hidden -> hidden)": self.rnn.weight_hh_l0, "combine (output layer)": self.out.weight}


def build_step(cell: str, n_dishes: int, hidden_size: int, num_layers: int) -> nn.Module:
    if cell == "classic":
        return ClassicStep(n_dishes)
    if cell in RNNS:
        return TorchStep(cell, n_dishes, hidden_size, num_layers)
    raise UserError(f"unknown cell '{cell}': set model.cell to one of classic, lstm, gru, rnn")


def hand_built(n_dishes: int) -> dict[str, torch.Tensor]:
    """The lesson's matrices for a ClassicStep (dish i is followed by dish i+1, cyclically)."""
    d = n_dishes
    eye = torch.eye(d)
    shift = torch.roll(eye, 1, dims=0)  # column i has its 1 in row i+1: yesterday i -> today i+1
    food = torch.cat([eye, shift])  # (2D, D): top "same dish", bottom "next dish"
    weather = torch.zeros(2 * d, N_WEATHER)
    weather[d:, 0] = 1  # sunny votes for the bottom half (next dish)
    weather[:d, 1] = 1  # rainy votes for the top half (same dish)
    bias = -torch.ones(2 * d)  # only an entry with both votes (1 + 1 - 1) survives the ReLU
    combine = torch.cat([eye, eye], dim=1)  # (D, 2D): add the halves
    return {"food": food, "weather": weather, "bias": bias, "combine": combine}


def unroll(step: nn.Module, weather: torch.Tensor, dishes: torch.Tensor | None, start: torch.Tensor,
           n_dishes: int, probe: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Run a week: weather (B, T) ids, start (B,) day-0 dish ids -> (logits (B, T, D), states (B, T, H)).

    With `dishes` (B, T + 1) yesterday's true dish is fed at every step (teacher forcing, training);
    without, yesterday's *predicted* dish is fed back (free-running, what val/acc and predict measure).
    `probe` (B, T, H): states to differentiate against (see suite.nn.gradient_probe)."""
    prev = F.one_hot(start, n_dishes).float()  # (B, D)
    w = F.one_hot(weather, N_WEATHER).float()  # (B, T, 2)
    state, logits, states = None, [], []
    for t in range(weather.size(1)):
        out, h, state = step(prev, w[:, t], state, None if probe is None else (probe, t))  # (B, D), (B, H)
        logits.append(out)
        states.append(h)
        nxt = dishes[:, t + 1] if dishes is not None else out.argmax(-1)
        prev = F.one_hot(nxt, n_dishes).float()  # (B, D)
    return torch.stack(logits, 1), torch.stack(states, 1)  # (B, T, D), (B, T, H)


class RoommateModule(SuiteModule):
    task_name = "roommate"
    item_kind = "weeks"
    meta_type = RoommateMeta

    def __init__(self, model: dict, meta: RoommateMeta | dict):
        super().__init__(model, meta)
        self.cell = model["cell"]
        self.step = build_step(self.cell, len(self.meta.dishes), int(model["hidden_size"]), int(model["num_layers"]))

    def week(self, weather: torch.Tensor, start: torch.Tensor) -> torch.Tensor:
        """Free-running: weather ids (B, T), day-0 dish ids (B,) -> predicted dish ids (B, T)."""
        logits, _ = unroll(self.step, weather, None, start, len(self.meta.dishes))  # (B, T, D)
        return logits.argmax(-1)

    def _teacher(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        return unroll(self.step, batch["weather"], batch["dishes"], batch["dishes"][:, 0], len(self.meta.dishes))

    def _loss(self, logits: torch.Tensor, batch: dict) -> torch.Tensor:
        return F.cross_entropy(logits.flatten(0, 1), batch["dishes"][:, 1:].flatten())  # (B * T, D) vs days 1..T

    def sequence_outputs(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """(loss, states (B, T, H)) for callbacks=gradient_flow: the loss of the week's last day only."""
        with torch.no_grad():
            _, values = self._teacher(batch)  # (B, T, H)
        states = values.detach().requires_grad_(True)  # probe: same values, on every path (suite.nn.gradient_probe)
        logits, _ = unroll(self.step, batch["weather"], batch["dishes"], batch["dishes"][:, 0], len(self.meta.dishes),
                           probe=states)
        return F.cross_entropy(logits[:, -1], batch["dishes"][:, -1]), states

    def training_step(self, batch: dict, batch_idx: int):
        logits, _ = self._teacher(batch)  # (B, T, D)
        loss = self._loss(logits, batch)
        self.log_train("train/loss", loss, batch["size"], prog_bar=True)
        return loss

    # --- evaluation ----------------------------------------------------------------------------
    def eval_batch(self, batch: dict, stage: str) -> tuple[torch.Tensor, list[dict]]:
        loss = self._loss(self._teacher(batch)[0], batch)
        pred = self.week(batch["weather"], batch["dishes"][:, 0])  # (B, T), its own dishes fed back
        rows = [{"id": i, "weather": w, "dishes": d, "predicted": p}
                for i, w, d, p in zip(batch["ids"], batch["weather"].tolist(), batch["dishes"].tolist(), pred.tolist())]
        return loss, rows

    def score(self, rows: list[dict], stage: str) -> dict[str, float]:
        hits = [[p == d for p, d in zip(r["predicted"], r["dishes"][1:])] for r in rows]
        return {"acc": sum(map(sum, hits)) / sum(map(len, hits)),  # per day, free-running from day 0's dish
                "week_acc": sum(map(all, hits)) / len(hits)}  # whole weeks without a single wrong dish

    def example(self, row: dict) -> dict:
        dishes, weather = self.meta.dishes, self.meta.weather
        return {"weather": ",".join(weather[i] for i in row["weather"]),
                "target": ",".join(dishes[i] for i in row["dishes"][1:]),
                "predicted": ",".join(dishes[i] for i in row["predicted"])}
