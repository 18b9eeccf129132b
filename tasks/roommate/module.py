"""Roommate LightningModule: learn the dish rule with teacher forcing, judge it free-running."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from suite.module import SuiteModule
from tasks.roommate.net import build_step, unroll


class RoommateModule(SuiteModule):
    task_name = "roommate"
    item_kind = "weeks"

    def __init__(self, model: dict, meta: dict):
        super().__init__(model, meta)
        self.dishes = list(meta["vocab"]["dishes"])
        self.weather_names = list(meta["vocab"]["weather"])
        self.start_dish = meta["data"]["start_dish"]
        self.cell = model["cell"]
        self.step = build_step(model["cell"], len(self.dishes), int(model["hidden_size"]), int(model["num_layers"]))
        self._correct = self._total = self._weeks_ok = self._weeks = 0

    def week(self, weather: torch.Tensor, start: torch.Tensor) -> torch.Tensor:
        """Free-running: weather ids (B, T), day-0 dish ids (B,) -> predicted dish ids (B, T)."""
        logits, _ = unroll(self.step, weather, None, start, len(self.dishes))  # (B, T, D)
        return logits.argmax(-1)

    def _teacher(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        return unroll(self.step, batch["weather"], batch["dishes"], batch["dishes"][:, 0], len(self.dishes))

    def sequence_outputs(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """(loss, states (B, T, H)) for callbacks=gradient_flow: the loss of the week's last day only."""
        with torch.no_grad():
            _, values = self._teacher(batch)  # (B, T, H)
        states = values.detach().requires_grad_(True)  # probe: same values, on every path (suite.nn.gradient_probe)
        logits, _ = unroll(self.step, batch["weather"], batch["dishes"], batch["dishes"][:, 0], len(self.dishes),
                           probe=states)
        return F.cross_entropy(logits[:, -1], batch["dishes"][:, -1]), states

    def training_step(self, batch: dict, batch_idx: int):
        logits, _ = self._teacher(batch)  # (B, T, D)
        loss = F.cross_entropy(logits.flatten(0, 1), batch["dishes"][:, 1:].flatten())
        self.log_train("train/loss", loss, logits.size(0), prog_bar=True)
        return loss

    def on_validation_epoch_start(self) -> None:
        self.examples = []
        self._correct = self._total = self._weeks_ok = self._weeks = 0

    def validation_step(self, batch: dict, batch_idx: int) -> None:
        logits, _ = self._teacher(batch)
        target = batch["dishes"][:, 1:]  # (B, T)
        self.log("val/loss", F.cross_entropy(logits.flatten(0, 1), target.flatten()), batch_size=target.size(0),
                 sync_dist=True)
        pred = self.week(batch["weather"], batch["dishes"][:, 0])  # (B, T), its own dishes fed back
        hits = pred == target
        self._correct += int(hits.sum())
        self._total += hits.numel()
        self._weeks_ok += int(hits.all(1).sum())
        self._weeks += hits.size(0)
        if self.keep_examples and not self.examples:
            for w, p, d in list(zip(batch["weather"].tolist(), pred.tolist(), batch["dishes"].tolist()))[:8]:
                self.examples.append({"weather": ",".join(self.weather_names[i] for i in w),
                                      "target": ",".join(self.dishes[i] for i in d[1:]),
                                      "predicted": ",".join(self.dishes[i] for i in p)})

    def on_validation_epoch_end(self) -> None:
        super().on_validation_epoch_end()
        counts = torch.tensor([self._correct, self._total, self._weeks_ok, self._weeks], dtype=torch.float64,
                              device=self.device)
        counts = self.trainer.strategy.reduce(counts, reduce_op="sum")
        if counts[1] > 0:
            self.log("val/acc", float(counts[0] / counts[1]))  # per day, free-running from day 0's dish
            self.log("val/week_acc", float(counts[2] / counts[3]))  # whole weeks without a single wrong dish


Module = RoommateModule  # the name suite.registry looks up
