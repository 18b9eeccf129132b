"""Pictures of what a DNA model looks at: per-base importance with the sequence under it, and
sequence logos of the first convolution's filters.

The logos are drawn here with matplotlib's TextPath (each letter's outline stretched into its box)
rather than with logomaker, the usual library: logomaker is not among the suite's dependencies and
the machines this runs on install nothing new; a logo is only stacked, scaled letters.
"""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: training machines have no display
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.font_manager import FontProperties  # noqa: E402
from matplotlib.patches import PathPatch  # noqa: E402
from matplotlib.path import Path as MplPath  # noqa: E402
from matplotlib.textpath import TextPath  # noqa: E402
from matplotlib.transforms import Affine2D  # noqa: E402

BASES = "ACGT"
COLOURS = {"A": "#109648", "C": "#255C99", "G": "#F7B32B", "T": "#D62839", "N": "#999999"}  # the usual logo colours
_FONT = FontProperties(family="DejaVu Sans", weight="bold")  # ships with matplotlib
BASES_PER_ROW = 100  # a row of the importance plot: letters stay readable at 16 inches
_GLYPHS: dict[str, object] = {}


def _glyph(letter: str):
    if letter not in _GLYPHS:
        _GLYPHS[letter] = TextPath((0, 0), letter, size=1, prop=_FONT)
    return _GLYPHS[letter]


def add_letters(ax, boxes: list[tuple[str, float, float, float, float]]) -> None:
    """Letters (letter, x, y, width, height), each outline stretched to fill its box; one compound
    patch per letter (thousands of single patches take a minute to draw)."""
    paths: dict[str, list] = {}
    for letter, x, y, width, height in boxes:
        glyph = _glyph(letter)
        box = glyph.get_extents()
        shape = (Affine2D().translate(-box.x0, -box.y0).scale(width / box.width, height / box.height)
                 .translate(x, y))
        paths.setdefault(letter, []).append(shape.transform_path(glyph))
    for letter, parts in paths.items():
        ax.add_patch(PathPatch(MplPath.make_compound_path(*parts), color=COLOURS[letter], lw=0))


def save_saliency_plot(sequence: str, importance: list[float], path: Path, title: str) -> Path:
    """Bars of per-base importance, coloured by base, with the bases written under them; rows of
    BASES_PER_ROW bases, all on one scale."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = max(1, -(-len(sequence) // BASES_PER_ROW))
    top = max(max(abs(v) for v in importance), 1e-6)
    fig = plt.figure(figsize=(16, 2.2 * rows + 0.4), dpi=100)
    grid = fig.add_gridspec(2 * rows, 1, height_ratios=[6, 1] * rows, hspace=0.0, left=0.05, right=0.99,
                            top=1 - 0.4 / (2.2 * rows + 0.4), bottom=0.02)
    for r in range(rows):
        lo = r * BASES_PER_ROW
        bases, values = sequence[lo:lo + BASES_PER_ROW], importance[lo:lo + BASES_PER_ROW]
        ax = fig.add_subplot(grid[2 * r])
        strip = fig.add_subplot(grid[2 * r + 1], sharex=ax)
        ax.bar(range(lo, lo + len(bases)), values, width=0.9, color=[COLOURS.get(b, COLOURS["N"]) for b in bases])
        ax.axhline(0, color="black", lw=0.5)
        ax.set_xlim(lo - 0.6, lo + BASES_PER_ROW - 0.4)
        ax.set_ylim(-1.05 * top, 1.05 * top)
        ax.tick_params(axis="x", bottom=False, labelbottom=False)
        ax.tick_params(axis="y", labelsize=7)
        ax.set_ylabel("importance", fontsize=8)
        ax.text(0.998, 0.97, f"{lo + 1}-{lo + len(bases)}", transform=ax.transAxes, ha="right", va="top", fontsize=7)
        add_letters(strip, [(b, lo + i - 0.35, 0.1, 0.7, 0.8) for i, b in enumerate(bases)])  # N drawn grey
        strip.set_ylim(0, 1)
        strip.axis("off")
        if r == 0:
            ax.set_title(title, fontsize=10)
    fig.savefig(path)
    plt.close(fig)
    return path


def save_filter_logos(freq, bits, sites, path: Path, title: str, columns: int = 4) -> Path:
    """One sequence logo per filter: at each position the four letters stacked, each as tall as its
    frequency x the position's information content (bits), the likeliest on top. freq (F, K, 4),
    bits (F, K), sites (F,) windows behind each filter."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n, k = freq.shape[0], freq.shape[1]
    rows = -(-n // columns)
    height = 1.4 * rows + 0.5
    fig, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, height), dpi=100, squeeze=False)
    fig.subplots_adjust(left=0.03, right=0.99, bottom=0.02, top=1 - 0.6 / height, wspace=0.15, hspace=0.45)
    for f, ax in enumerate(axes.flat):
        if f >= n:
            ax.axis("off")
            continue
        boxes, y = [], 0.0
        for pos in range(k if sites[f] > 0 else 0):
            y = 0.0
            for b in sorted(range(4), key=lambda b: float(freq[f, pos, b])):  # smallest at the bottom
                h = float(freq[f, pos, b] * bits[f, pos])
                if h > 1e-3:
                    boxes.append((BASES[b], pos + 0.05, y, 0.9, h))
                y += h
        add_letters(ax, boxes)
        if not sites[f] > 0:
            ax.text(k / 2, 1, "never active", ha="center", va="center", fontsize=8, color="grey")
        ax.set_xlim(0, k)
        ax.set_ylim(0, 2)
        ax.set_yticks([0, 1, 2])
        ax.set_xticks([])
        ax.tick_params(labelsize=6, length=2, pad=1)
        ax.set_title(f"filter {f} ({int(sites[f])} sites)", fontsize=7, pad=2)
    fig.suptitle(title, fontsize=9)
    fig.savefig(path)
    plt.close(fig)
    return path


def write_meme(freq, sites, path: Path) -> Path:
    """The filters as a MEME motif file (Tomtom and most motif tools read it: compare them with JASPAR)."""
    lines = ["MEME version 4", "", f"ALPHABET= {BASES}", "", "strands: + -", "",
             "Background letter frequencies", "A 0.25 C 0.25 G 0.25 T 0.25", ""]
    for f in range(freq.shape[0]):
        if sites[f] <= 0:
            continue
        lines += [f"MOTIF filter{f}", f"letter-probability matrix: alength= 4 w= {freq.shape[1]} nsites= {int(sites[f])}"]
        lines += [" ".join(f"{float(p):.4f}" for p in row) for row in freq[f]]
        lines.append("")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
    return path
