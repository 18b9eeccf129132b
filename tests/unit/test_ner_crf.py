"""The CRF against brute force over every tag path of tiny examples; batching and masking are exact."""
import itertools

import pytest
import torch

from suite.nn.crf import CRF


def _crf(k=3, seed=0):
    torch.manual_seed(seed)
    crf = CRF(k)
    with torch.no_grad():  # scores large enough that the best path is not all one tag
        for p in crf.parameters():
            p.normal_(0, 1.0)
    return crf


def _score(crf, emissions, path):
    s = crf.start[path[0]] + crf.end[path[-1]] + sum(emissions[t, y] for t, y in enumerate(path))
    return s + sum(crf.transitions[a, b] for a, b in zip(path, path[1:]))


def _all_paths(n, k):
    return [list(p) for p in itertools.product(range(k), repeat=n)]


@pytest.mark.parametrize("n", [1, 2, 4])
def test_viterbi_finds_the_brute_force_best_path(n):
    crf = _crf()
    emissions = torch.randn(1, n, 3)
    best = max(_all_paths(n, 3), key=lambda p: float(_score(crf, emissions[0], p).detach()))
    assert crf.decode(emissions, torch.ones(1, n, dtype=torch.bool)) == [best]


@pytest.mark.parametrize("n", [1, 3, 4])
def test_log_likelihood_matches_the_brute_force_partition(n):
    crf = _crf(seed=1)
    emissions = torch.randn(1, n, 3, dtype=torch.float64)
    crf = crf.double()
    scores = torch.stack([_score(crf, emissions[0], p) for p in _all_paths(n, 3)])
    log_z = torch.logsumexp(scores, 0)
    tags = torch.tensor([[(2 * t + 1) % 3 for t in range(n)]])
    want = _score(crf, emissions[0], tags[0].tolist()) - log_z
    got = crf.log_likelihood(emissions, tags, torch.ones(1, n, dtype=torch.bool))
    torch.testing.assert_close(got[0].double(), want.double(), rtol=1e-6, atol=1e-6)
    # probabilities of all paths sum to one
    all_ll = torch.stack([crf.log_likelihood(emissions, torch.tensor([p]), torch.ones(1, n, dtype=torch.bool))[0]
                          for p in _all_paths(n, 3)])
    assert float(all_ll.detach().exp().sum()) == pytest.approx(1.0, abs=1e-6)


def test_a_padded_batch_gives_each_sequence_its_own_results():
    crf = _crf(k=4, seed=2)
    lengths = [5, 2, 1, 4]
    emissions = torch.randn(4, 5, 4)
    mask = torch.arange(5).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)  # (4, 5)
    tags = torch.randint(0, 4, (4, 5)).masked_fill(~mask, -100)
    ll, paths = crf.log_likelihood(emissions, tags, mask), crf.decode(emissions, mask)
    for i, n in enumerate(lengths):
        one = torch.ones(1, n, dtype=torch.bool)
        torch.testing.assert_close(ll[i], crf.log_likelihood(emissions[i:i + 1, :n], tags[i:i + 1, :n], one)[0])
        assert paths[i] == crf.decode(emissions[i:i + 1, :n], one)[0] and len(paths[i]) == n


def test_gradients_reach_every_parameter():
    crf = _crf()
    emissions = torch.randn(2, 3, 3, requires_grad=True)
    tags, mask = torch.tensor([[0, 1, 2], [2, 2, 0]]), torch.ones(2, 3, dtype=torch.bool)
    crf.log_likelihood(emissions, tags, mask).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in crf.parameters())
    assert emissions.grad.abs().sum() > 0
