"""A confusion matrix as an image (rows: true label, columns: predicted), for the W&B logger."""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display on training machines
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402


def confusion_image(matrix: torch.Tensor, labels: list[str]) -> Image.Image:
    """(C, C) counts -> PIL image with the counts written in each cell."""
    counts = matrix.cpu().numpy()
    size = 1.2 + 0.6 * len(labels)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    im = ax.imshow(counts, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for i in range(len(labels)):
        for j in range(len(labels)):
            dark = counts[i, j] > counts.max() / 2
            ax.text(j, i, str(int(counts[i, j])), ha="center", va="center", color="white" if dark else "black")
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    buf.seek(0)
    return Image.open(buf).convert("RGB")
