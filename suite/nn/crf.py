"""Linear-chain CRF over emission scores: log-likelihood by the forward algorithm, Viterbi decoding.

Batched and masked: every sequence in a batch may have its own length (mask True at real steps,
each row's real steps first). Scores of a tag path y over steps 1..n:
    start[y_1] + sum_t emit[t, y_t] + sum_{t>1} trans[y_{t-1}, y_t] + end[y_n].
Padded steps add nothing, so a padded batch gives exactly the per-sentence results.
"""
from __future__ import annotations

import torch
from torch import nn


class CRF(nn.Module):
    def __init__(self, num_tags: int):
        super().__init__()
        self.num_tags = num_tags
        # small random init (not zeros): the transition scores start unbiased but not all equal
        self.transitions = nn.Parameter(torch.empty(num_tags, num_tags).uniform_(-0.1, 0.1))  # [from, to]
        self.start = nn.Parameter(torch.empty(num_tags).uniform_(-0.1, 0.1))
        self.end = nn.Parameter(torch.empty(num_tags).uniform_(-0.1, 0.1))

    def path_score(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """emissions (B, T, K), tags (B, T), mask (B, T) -> score of the given paths (B,)."""
        B, T, _ = emissions.shape
        maskf = mask.to(emissions.dtype)
        tags = tags.masked_fill(~mask, 0)  # padded tags may be any value (e.g. -100); they are masked out
        emit = emissions.gather(2, tags.unsqueeze(-1)).squeeze(-1)  # (B, T)
        score = self.start[tags[:, 0]] + (emit * maskf).sum(1)  # (B,)
        if T > 1:
            trans = self.transitions[tags[:, :-1], tags[:, 1:]]  # (B, T-1)
            score = score + (trans * maskf[:, 1:]).sum(1)
        last = tags.gather(1, (mask.sum(1) - 1).clamp(min=0).unsqueeze(1)).squeeze(1)  # (B,)
        return score + self.end[last]

    def log_partition(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """log of the summed exp-scores of every tag path (forward algorithm) -> (B,)."""
        alpha = self.start + emissions[:, 0]  # (B, K)
        for t in range(1, emissions.size(1)):
            # alpha_t[j] = logsumexp_i(alpha_{t-1}[i] + trans[i, j]) + emit_t[j]
            nxt = torch.logsumexp(alpha.unsqueeze(2) + self.transitions, dim=1) + emissions[:, t]  # (B, K)
            alpha = torch.where(mask[:, t].unsqueeze(1), nxt, alpha)  # padded steps keep the last alpha
        return torch.logsumexp(alpha + self.end, dim=1)  # (B,)

    def log_likelihood(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """log p(tags | emissions) per sequence (B,); the loss is its negative mean."""
        emissions = emissions.float()  # logsumexp chains lose too much in bf16
        return self.path_score(emissions, tags, mask) - self.log_partition(emissions, mask)

    @torch.no_grad()
    def decode(self, emissions: torch.Tensor, mask: torch.Tensor) -> list[list[int]]:
        """Viterbi: the highest-scoring tag path of each sequence, as lists of its real length."""
        emissions = emissions.float()
        B, T, K = emissions.shape
        score = self.start + emissions[:, 0]  # (B, K)
        back = []
        for t in range(1, T):
            total = score.unsqueeze(2) + self.transitions  # (B, K_from, K_to)
            best, arg = total.max(dim=1)  # (B, K), (B, K)
            on = mask[:, t].unsqueeze(1)
            score = torch.where(on, best + emissions[:, t], score)
            # on a padded step every tag points to itself, so backtracking passes through unchanged
            back.append(torch.where(on, arg, torch.arange(K, device=arg.device).expand(B, K)))
        tag = (score + self.end).argmax(dim=1)  # (B,)
        path = [tag]
        for arg in reversed(back):
            tag = arg.gather(1, tag.unsqueeze(1)).squeeze(1)  # (B,)
            path.append(tag)
        best_paths = torch.stack(path[::-1], dim=1)  # (B, T)
        lengths = mask.sum(1).tolist()
        return [row[:n] for row, n in zip(best_paths.tolist(), lengths)]
