"""suite-predict for roommate: input="sunny,rainy,..." (optionally "burger: sunny,rainy,...") ->
the learned matrices beside the hand-built ones, and the week the model predicts.

Day 0's dish is the prefix before ':' when given, else the checkpoint's data.start_dish
(apple pie by default); each weather word is one day after it.
"""
from __future__ import annotations

import re

import torch
from omegaconf import DictConfig

from suite.errors import UserError
from tasks.roommate import next_dishes
from tasks.roommate.module import ClassicStep, hand_built

MAX_DAYS = 10_000  # a longer input is almost surely a mistake (a whole file pasted in)


def parse(spec: str, dishes: list[str], weathers: list[str], default_start: str) -> tuple[int, list[int]]:
    """'burger: sunny, rainy' -> (dish id of day 0, weather ids of days 1..T)."""
    text = str(spec).strip()
    start = default_start
    if ":" in text:
        start, text = (part.strip() for part in text.split(":", 1))
    if start not in dishes:
        raise UserError(f"unknown start dish '{start}': begin input with one of {', '.join(dishes)} and ':'")
    words = [w.lower() for w in re.split(r"[,\s]+", text) if w]
    if not words:
        raise UserError('input has no weather: give input="sunny,rainy,..." (optionally "burger: sunny,...")')
    if len(words) > MAX_DAYS:
        raise UserError(f"input has {len(words)} days, over the limit of {MAX_DAYS}: give a shorter sequence")
    bad = [w for w in words if w not in weathers]
    if bad:
        raise UserError(f"unknown weather '{bad[0]}' in input: use only {' and '.join(weathers)}, separated by commas")
    return dishes.index(start), [weathers.index(w) for w in words]


def _fmt(m: torch.Tensor) -> list[str]:
    m = m.detach().float().reshape(m.size(0), -1) if m.dim() > 1 else m.detach().float().unsqueeze(0)
    return ["[" + " ".join(f"{v:6.2f}" for v in row) + "]" for row in m.tolist()]


def matrices_text(module) -> str:
    learned = {k: v for k, v in module.step.matrices().items()}
    if not isinstance(module.step, ClassicStep):
        lines = [f"learned matrices of the {module.cell} layer (the hand-built ones belong to model.cell=classic):"]
        for name, m in learned.items():
            lines += [f"{name} {tuple(m.shape)}:", *("  " + r for r in _fmt(m))]
        return "\n".join(lines)
    hand = hand_built(len(module.meta.dishes))
    lines = ["learned (left) vs hand-built (right); rows of food/weather: 'same dish' votes, then 'next dish' votes"]
    for name in ("food", "weather", "bias", "combine"):
        left, right = _fmt(learned[name]), _fmt(hand[name])
        width = max(len(r) for r in left)
        lines.append(f"{name} {tuple(learned[name].shape)}:")
        lines += [f"  {a:<{width}}   {b}" for a, b in zip(left, right)]
    return "\n".join(lines)


def predict(module, cfg: DictConfig) -> list[dict]:
    """One result: {"input", "text" (matrices + the week), "start_dish", "weather", "dishes", "rule"}."""
    dishes, weathers = module.meta.dishes, module.meta.weather
    start, weather = parse(cfg.input, dishes, weathers, module.meta.start_dish)
    with torch.no_grad():
        pred = module.week(torch.tensor([weather]), torch.tensor([start]))[0].tolist()  # (T,)
    rule = next_dishes(start, weather, len(dishes))[1:]  # what the roommate really cooks
    width = max(len(d) for d in dishes)
    week = [f"day 0          {dishes[start]:<{width}}  (given)"]
    week += [f"day {t + 1:<3} {weathers[w]:<6} {dishes[p]:<{width}}  {'ok' if p == r else 'WRONG, cooks ' + dishes[r]}"
             for t, (w, p, r) in enumerate(zip(weather, pred, rule))]
    hits = sum(p == r for p, r in zip(pred, rule))
    text = "\n".join([matrices_text(module), "", f"predicted week ({hits}/{len(rule)} as the rule says):", *week])
    return [{"input": str(cfg.input), "text": text, "start_dish": dishes[start],
             "weather": [weathers[w] for w in weather], "dishes": [dishes[p] for p in pred],
             "rule": [dishes[r] for r in rule]}]
