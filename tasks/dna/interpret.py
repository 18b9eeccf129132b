"""What a trained DNA model looks at: per-base importance by in-silico mutagenesis, and the first
convolution's filters as position frequency matrices (the sites that switch each filter on).

In-silico mutagenesis rather than input x gradient: DanQ's ReLU and max-pool make the gradient
piecewise and local (a base whose change moves which position wins a pool window gets zero
gradient, yet changes the prediction), while mutagenesis measures the prediction's actual change;
on sequences of up to a few kb it costs 3 x length forward passes, batched, seconds on a CPU.
"""
from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F

from tasks.dna import N_INDEX
from tasks.dna.module import one_hot


def target_class(module, probs: torch.Tensor) -> int:
    """The class a sequence's importance is measured for: binary -> the positive one (negative
    importance then argues for the negative class); otherwise the most probable one."""
    return 1 if module.label_type == "binary" else int(torch.argmax(probs))


def _score(module, seq: torch.Tensor, lengths: torch.Tensor, cls: int) -> torch.Tensor:
    """(B, L) base indices -> (B,) log-odds of class `cls` (strand-averaged when the model averages)."""
    p = module.probabilities(seq, lengths)[:, cls].double().clamp(1e-7, 1 - 1e-7)  # (B,)
    return torch.log(p) - torch.log1p(-p)


@torch.no_grad()
def mutagenesis(module, seq: torch.Tensor, batch_size: int = 256) -> tuple[torch.Tensor, int]:
    """(L,) base indices -> ((L,) importance, class): the log-odds of the class for the sequence
    as it is, less their mean over the other bases at each position (positive: the base supports
    the class). An N position is compared with all four bases."""
    seq = seq.long()
    length = seq.numel()
    cls = target_class(module, module.probabilities(seq[None], torch.tensor([length]))[0])
    reference = _score(module, seq[None], torch.tensor([length]), cls)[0]
    position = torch.arange(length).repeat_interleave(4)  # (4L,) every position with each base
    base = torch.arange(4).repeat(length)  # (4L,)
    keep = base != seq[position]  # the real substitutions: 3 a position (4 at an N)
    position, base = position[keep], base[keep]
    variants = seq.repeat(len(position), 1)  # (V, L)
    variants[torch.arange(len(position)), position] = base
    scores = torch.cat([_score(module, variants[i:i + batch_size], torch.full((min(batch_size, len(variants) - i),),
                                                                              length), cls)
                        for i in range(0, len(variants), batch_size)])  # (V,)
    mean = torch.zeros(length, dtype=torch.float64).index_add_(0, position, scores)
    mean /= torch.bincount(position, minlength=length).clamp(min=1)
    return (reference - mean).float(), cls


@torch.no_grad()
def filter_counts(conv: torch.nn.Conv1d, seqs: list[torch.Tensor], threshold: float = 0.5,
                  batch_size: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """Base counts of the windows that switch each first-layer filter on (DanQ's and Basset's way of
    reading filters): every window whose activation passes `threshold` x the filter's maximum over
    `seqs`. Returns ((F, K, 4) counts, (F,) windows per filter); a filter never above 0 has none."""
    k = conv.kernel_size[0]
    batches = [seqs[i:i + batch_size] for i in range(0, len(seqs), batch_size)]

    def activations(chunk):
        lengths = torch.tensor([len(s) for s in chunk])
        seq = torch.full((len(chunk), int(lengths.max())), N_INDEX, dtype=torch.long)  # (B, L), N-padded
        for i, s in enumerate(chunk):
            seq[i, :len(s)] = s.long()
        x = one_hot(seq).to(conv.weight.device)  # (B, L, 4)
        act = conv(x.transpose(1, 2))  # (B, F, L): the window centred on each position
        inside = torch.arange(seq.size(1))[None, :] < lengths[:, None]  # (B, L)
        return x, act.masked_fill(~inside[:, None, :].to(act.device), float("-inf"))

    peak = torch.full((conv.out_channels,), float("-inf"))
    for chunk in batches:
        peak = torch.maximum(peak, activations(chunk)[1].amax(dim=(0, 2)).cpu())
    cut = torch.where(peak > 0, threshold * peak, torch.tensor(float("inf")))  # (F,)
    counts, sites = torch.zeros(conv.out_channels, k, 4), torch.zeros(conv.out_channels)
    for chunk in batches:
        x, act = activations(chunk)
        padded = F.pad(x, (0, 0, k // 2, k // 2))  # (B, L + K - 1, 4): the conv's zero padding, as N
        windows = padded.unfold(1, k, 1)  # (B, L, 4, K)
        hit = (act > cut.to(act.device)[None, :, None]).float()  # (B, F, L)
        counts += torch.einsum("bfl,blck->fkc", hit, windows).cpu()
        sites += hit.sum((0, 2)).cpu()
    return counts, sites


def information(counts: torch.Tensor, pseudocount: float = 0.1) -> tuple[torch.Tensor, torch.Tensor]:
    """(F, K, 4) counts -> ((F, K, 4) frequencies, (F, K) information content in bits, 2 - entropy).
    The pseudocount (per base) keeps a column of a few sites finite without drowning it: 6 identical
    sites give 1.65 bits of the 2."""
    freq = (counts + pseudocount) / (counts + pseudocount).sum(-1, keepdim=True)
    return freq, 2 + (freq * torch.log2(freq)).sum(-1)


def export_filters(conv: torch.nn.Conv1d, seqs: list[torch.Tensor], out_dir: Path, where: str) -> Path:
    """out_dir/filter_logos.png and filter_motifs.meme from the sites of `seqs`; returns the PNG."""
    from tasks.dna.plots import save_filter_logos, write_meme

    counts, sites = filter_counts(conv, seqs)
    freq, bits = information(counts)
    write_meme(freq, sites, out_dir / "filter_motifs.meme")
    return save_filter_logos(freq, bits, sites, out_dir / "filter_logos.png",
                             f"first-layer filters: their sites in {len(seqs)} {where} "
                             "(windows above half the filter's peak activation)")
