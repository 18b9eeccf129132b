"""Clip classification metrics from (label, top-k prediction) rows, and the confusion matrix image.

Accuracies are fractions 0-1 (DESIGN.md section 3): top-1, top-5 (top-C with fewer than 5
classes), the mean of per-class accuracies and each class's own accuracy.
"""
from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image


def clip_metrics(labels: np.ndarray, topk: np.ndarray, classes: list[str]) -> tuple[dict[str, float], np.ndarray]:
    """labels (N,), topk (N, k) best-first predictions -> (metrics, confusion (C, C) true x predicted)."""
    n_cls = len(classes)
    top1 = topk[:, 0]
    confusion = np.zeros((n_cls, n_cls), dtype=np.int64)
    np.add.at(confusion, (labels, top1), 1)
    support = confusion.sum(1)  # (C,) clips per true class
    per_class = np.divide(np.diag(confusion), support, out=np.zeros(n_cls), where=support > 0)
    metrics = {"acc": float((top1 == labels).mean()),
               "acc_top5": float((topk[:, :5] == labels[:, None]).any(1).mean()),
               "acc_mean_class": float(per_class[support > 0].mean()) if (support > 0).any() else 0.0}
    metrics.update({f"acc_class/{name}": float(per_class[i]) for i, name in enumerate(classes) if support[i]})
    return metrics, confusion


def confusion_image(confusion: np.ndarray, classes: list[str], title: str) -> Image.Image:
    """Row-normalised confusion matrix (true rows, predicted columns) as a PIL image; counts in the
    cells when there are few classes."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers; must precede pyplot
    import matplotlib.pyplot as plt

    n = len(classes)
    rates = confusion / np.maximum(confusion.sum(1, keepdims=True), 1)  # (C, C) share of each true class
    side = min(4 + 0.35 * n, 40)  # inches: readable labels up to UCF101's 101 classes
    fig, ax = plt.subplots(figsize=(side, side * 0.9), dpi=80)
    ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    ax.set(xticks=range(n), yticks=range(n), xlabel="predicted", ylabel="true", title=title)
    font = 8 if n <= 30 else 5
    ax.set_xticklabels(classes, rotation=90, fontsize=font)
    ax.set_yticklabels(classes, fontsize=font)
    if n <= 20:
        for i, j in zip(*np.nonzero(confusion)):
            ax.text(j, i, int(confusion[i, j]), ha="center", va="center", fontsize=7,
                    color="white" if rates[i, j] > 0.5 else "black")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    buf.seek(0)
    return Image.open(buf).convert("RGB")


def save_confusion(confusion: np.ndarray, classes: list[str], path: Path, title: str) -> Image.Image:
    image = confusion_image(confusion, classes, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return image
