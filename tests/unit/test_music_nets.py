"""Music networks: the attention over the LSTM's past is causal and samples step by step exactly as
it reads whole sequences; poly_rnn starts at the marginal baseline and samples 0/1 frames."""
import pytest
import torch

from tasks.music.frames import KEYS, Marginal, dense
from tasks.music.lookback import AttentiveLM
from tasks.music.poly import PolyRNN

SIZES = {"cell": "lstm", "embed_size": 6, "hidden_size": 10, "num_layers": 1, "dropout": 0.0}


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_attention_is_causal_and_incremental_reading_matches_the_whole(cell):
    torch.manual_seed(0)
    net = AttentiveLM(20, attention=8, pad_id=0, **{**SIZES, "cell": cell}).eval()
    x = torch.randint(1, 20, (2, 12))
    whole, _, _ = net(x)  # (2, 12, 20)
    logits, _, state = net(x[:, :5])
    parts = [logits]
    for t in range(5, 12):  # as sampling reads: one event at a time, the memory in the state
        logits, _, state = net(x[:, t:t + 1], state)
        parts.append(logits)
    assert torch.allclose(torch.cat(parts, 1), whole, atol=1e-5)
    changed = x.clone()
    changed[:, 8] = changed[:, 8] % 19 + 1
    after, _, _ = net(changed)
    assert torch.allclose(after[:, :8], whole[:, :8]) and not torch.allclose(after[:, 8:], whole[:, 8:])


def test_attention_can_copy_what_followed_a_matching_step():
    """The value of a past step is the event that followed it: a query matching step j reads x[j + 1]."""
    torch.manual_seed(0)
    net = AttentiveLM(20, attention=8, pad_id=0, **SIZES).eval()
    x = torch.randint(1, 20, (1, 6))
    with torch.no_grad():
        net.null.fill_(-1e9)  # attend to something
        net.query.weight.zero_()
        net.query.bias.zero_()  # equal scores: the mean of the values of the steps before
        _, states, _ = net(x)
        step5 = net.value(x[:, 1:5]).mean(1)  # step 4 queries steps 0-3, whose values are x[1..4]
        expected = net.out(states[:, 4] + net.mix(step5))
        assert torch.allclose(net(x)[0][:, 4], expected, atol=1e-5)


def test_poly_rnn_starts_at_the_marginal_and_samples_frames():
    base = Marginal.fit([[[0, 4, 7], [0, 5, 9], [2, 7, 11]]])
    torch.manual_seed(0)
    net = PolyRNN(**{**SIZES, "embed_size": 8}, bias=base.logits()).eval()
    torch.nn.init.zeros_(net.out.weight)  # no information from the past: the bias alone
    y = dense([[0, 4, 7], [], [2, 7, 11]]).unsqueeze(0)  # (1, 3, 88)
    logits, _ = net(torch.zeros_like(y))
    assert torch.allclose(PolyRNN.frame_nll(logits, y).double(), base.nll(y), atol=1e-4)
    g = torch.Generator().manual_seed(3)
    frames = net.sample(dense([[0, 4, 7]]), 16, generator=g)  # (16, 88)
    assert frames.shape == (16, KEYS) and set(frames.unique().tolist()) <= {0.0, 1.0}
    again = net.sample(dense([[0, 4, 7]]), 16, generator=torch.Generator().manual_seed(3))
    assert torch.equal(frames, again)
    capped = net.sample(torch.zeros(0, KEYS), 16, temperature=5.0, top_k=2, generator=g)
    assert capped.sum(1).max() <= 2
