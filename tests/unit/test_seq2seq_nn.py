"""Text encoder and Luong decoder: packed padding invariance, teacher forcing == stepping, beams."""
import pytest
import torch

from suite.errors import UserError
from suite.nn.luong_decoder import LuongDecoder
from suite.nn.search import beam_search, greedy_search
from suite.nn.text_encoder import RecurrentTextEncoder

# the YAML normally holds these; the constructors have no defaults of their own
DEC = dict(cell="lstm", embed_size=8, hidden_size=16, num_layers=1, attention="general", input_feeding=True,
           dropout=0.2, tie_embeddings=False)


def _decoder(*sizes, **changes):
    return LuongDecoder(*sizes, **{**DEC, **changes})


def _encoder(cell="lstm"):
    torch.manual_seed(0)
    return RecurrentTextEncoder(30, cell=cell, embed_size=8, hidden_size=8, num_layers=2, bidirectional=True,
                                dropout=0.2).eval()


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_padded_batch_gives_the_same_encoding_as_one_sentence(cell):
    enc = _encoder(cell)
    sentence = torch.tensor([[5, 6, 7]])
    batch = torch.tensor([[5, 6, 7, 0, 0], [9, 8, 7, 6, 5]])
    out_b, sum_b = enc(batch, torch.tensor([3, 5]))
    out_1, sum_1 = enc(sentence, torch.tensor([3]))
    assert torch.allclose(out_b[0, :3], out_1[0], atol=1e-6)
    assert torch.allclose(sum_b[0], sum_1[0], atol=1e-6)
    assert out_b[0, 3:].abs().max() == 0  # padding produces no annotations


@pytest.mark.parametrize("attention", ["general", "dot", "bahdanau"])
@pytest.mark.parametrize("input_feeding", [True, False])
def test_teacher_forcing_equals_stepping(attention, input_feeding):
    enc = _encoder()
    torch.manual_seed(1)
    dec = _decoder(25, 16, embed_size=8, hidden_size=16, attention=attention, input_feeding=input_feeding).eval()
    src = torch.tensor([[5, 6, 7, 0], [9, 8, 7, 6]])
    lengths = torch.tensor([3, 4])
    memory, summary = enc(src, lengths)
    state, cache = dec.start(memory, src != 0, summary)
    tokens = torch.randint(4, 25, (2, 6))
    forced, alphas = dec(tokens, state, cache)
    assert alphas[0, :, 3].abs().max() == 0  # no attention on padding
    for t in range(6):
        logits, state, alpha = dec.step(tokens[:, t], state, cache)
        assert torch.allclose(logits, forced[:, t], atol=1e-5)
        assert torch.allclose(alpha, alphas[:, t], atol=1e-6)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_beam_one_equals_greedy_and_wider_beams_score_no_worse(cell):
    enc = _encoder()
    dec = _decoder(25, 16, cell=cell, embed_size=8, hidden_size=16).eval()
    src = torch.randint(4, 30, (4, 6))
    memory, summary = enc(src, torch.full((4,), 6))
    state, cache = dec.start(memory, torch.ones(4, 6, dtype=torch.bool), summary)
    g = greedy_search(dec, state, cache, bos=1, eos=2, max_len=10)
    b1 = beam_search(dec, state, cache, bos=1, eos=2, max_len=10, beam_size=1)
    b5 = beam_search(dec, state, cache, bos=1, eos=2, max_len=10, beam_size=5)
    assert torch.equal(g.tokens, b1.tokens)
    assert (b5.scores >= g.scores - 1e-5).all()


def test_configuration_errors_are_one_line():
    with pytest.raises(UserError, match="dot attention needs"):
        _decoder(10, 32, hidden_size=16, attention="dot")
    with pytest.raises(UserError, match="set model.decoder.attention"):
        _decoder(10, 16, hidden_size=16, attention="cosine")


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("layers", [1, 2])
def test_single_step_cells_match_the_fused_layer(cell, layers):
    torch.manual_seed(0)
    dec = _decoder(25, 16, cell=cell, embed_size=8, hidden_size=16, num_layers=layers).eval()
    x = torch.randn(3, 8 + 16)  # (N, E + H): embedding and fed attentional vector
    state = tuple(torch.randn(3, layers, 16) for _ in range(2 if cell == "lstm" else 1))  # (N, L, H)
    fused_out, fused_state = dec._run(x.unsqueeze(1), state)
    out, new_state = dec._one_step(x, state)
    assert torch.allclose(out, fused_out.squeeze(1), atol=1e-5)
    for a, b in zip(new_state, fused_state):
        assert torch.allclose(a, b, atol=1e-5)
