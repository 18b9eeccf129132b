"""Overrides checked against the YAML defaults before anything runs.

The configs have no hand-written schema: each option's YAML default *is* its type (a key whose
default is an integer takes integers, a float takes numbers, a boolean takes true/false), and a
few naming conventions give ranges (sizes and layer counts are positive, dropouts lie in [0, 1),
split sizes are not negative, learning rates are positive). A wrong value ends in one line naming
the key, the value and what is allowed, instead of a traceback minutes into a run.
"""
from __future__ import annotations

import re
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from suite.errors import UserError

# (pattern on the key's last part, test, what is allowed)
RANGES = [
    (re.compile(r"(^|_)dropout$"), lambda v: 0 <= v < 1, "a number in [0, 1)"),
    (re.compile(r"^((embed|hidden|batch|beam|vocab|attention|proj|feature)_size|num_layers)$"), lambda v: v >= 1,
     "a whole number >= 1"),
    (re.compile(r"^n_(train|val|test)$"), lambda v: v >= 0, "a whole number >= 0"),
    (re.compile(r"^(lr|max_lr)$"), lambda v: v > 0, "a positive number"),
]


def _kind(default) -> str | None:
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    return None  # strings, lists, nulls, interpolations: any value may be meant


def _fits(value, kind: str) -> bool:
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _walk(defaults: dict, given: DictConfig, prefix: str) -> None:
    for key, default in defaults.items():
        if key in ("defaults", "_target_") or key not in given:
            continue
        path = f"{prefix}.{key}"
        if isinstance(default, dict):
            if OmegaConf.is_dict(given[key]):
                _walk(default, given[key], path)
            continue
        kind = _kind(default)
        if kind is None or OmegaConf.is_missing(given, key):
            continue
        value = given[key]
        if value is None:
            continue
        if not _fits(value, kind):
            want = {"bool": "true or false", "int": "a whole number", "float": "a number"}[kind]
            raise UserError(f"{path}={value!r} is not {want} (its default is {default!r}): set {path}=<{want}>")
        for pattern, ok, allowed in RANGES:
            if pattern.search(str(key)) and not ok(value):
                raise UserError(f"{path}={value!r} is out of range: use {allowed}")


def check_types(cfg: DictConfig, conf_dir: Path) -> None:
    """Every data/model/trainer value against the defaults of the option it was composed from."""
    for group in ("data", "model", "trainer"):
        node = cfg.get(group)
        if node is None:
            continue
        names = [node.get("name")] if group != "trainer" else ["default"]
        for name in names:
            path = conf_dir / group / f"{name}.yaml"
            if name and path.is_file():
                _walk(OmegaConf.to_container(OmegaConf.load(path), resolve=False), node, group)
    for key in ("seed",):
        if not isinstance(cfg.get(key), int):
            raise UserError(f"{key}={cfg.get(key)!r} is not a whole number: set {key}=<integer>")
