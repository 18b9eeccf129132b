"""run_rnn over a padded batch gives what the packed batch gives: outputs, zeros past each
length, and the gradients of the weights and inputs."""
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from suite.nn.cells import RNNS
from suite.nn.padded_rnn import reverse_within, run_rnn


def test_reverse_within_reverses_only_the_real_steps():
    x = torch.arange(8.0).view(2, 4, 1)  # rows [0 1 2 3], [4 5 6 7]
    out = reverse_within(x, torch.tensor([4, 2]))
    assert out.squeeze(2).tolist() == [[3, 2, 1, 0], [5, 4, 6, 7]]


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("layers,bidirectional", [(1, True), (2, True), (2, False)])
def test_padded_run_equals_packed_run(cell, layers, bidirectional):
    torch.manual_seed(0)
    rnn = RNNS[cell](6, 5, num_layers=layers, bidirectional=bidirectional, batch_first=True).eval()
    lengths = torch.tensor([7, 3, 5, 1])
    x = torch.randn(4, 7, 6, requires_grad=True)
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    ref = pad_packed_sequence(rnn(packed)[0], batch_first=True, total_length=7)[0]
    ref_grads = torch.autograd.grad(ref.square().sum(), [x, *rnn.parameters()])
    out = run_rnn(rnn, x, lengths)
    grads = torch.autograd.grad(out.square().sum(), [x, *rnn.parameters()])
    assert torch.allclose(out, ref, atol=1e-5)
    assert out[1, 3:].abs().max() == 0  # nothing past a length
    for g, r in zip(grads, ref_grads):
        assert torch.allclose(g, r, atol=1e-4)
