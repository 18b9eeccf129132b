"""Show-Attend-Tell decoder: shapes, every cell, padding invariance, teacher forcing == stepping."""
import pytest
import torch

from suite.nn.image_encoder import ImageGridEncoder
from suite.nn.show_attend_tell import ShowAttendTellDecoder

# the YAML normally holds these; the constructors have no defaults of their own
DEC = dict(cell="lstm", attention=True, embed_size=8, hidden_size=16, attention_size=8, dropout=0.3, gate=True,
           deep_output=True, pad_id=0)
ENC = dict(arch="small_cnn", channels=(8, 16, 16, 32), pretrained=False, freeze=False, grid_size=None,
           cache_features=False)


def _decoder(**kw):
    torch.manual_seed(0)
    return ShowAttendTellDecoder(25, 12, **{**DEC, **kw}).eval()


def _encoder(**kw):
    return ImageGridEncoder(**{**ENC, **kw})


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("attention", [True, False])
def test_shapes_for_every_cell(cell, attention):
    dec = _decoder(cell=cell, attention=attention, gate=attention, deep_output=attention)
    memory = torch.randn(3, 10, 12)
    logits, alphas = dec(memory, torch.randint(4, 25, (3, 7)))
    assert logits.shape == (3, 7, 25)
    if attention:
        assert alphas.shape == (3, 7, 10)
        assert torch.allclose(alphas.sum(-1), torch.ones(3, 7), atol=1e-5)
    else:
        assert alphas is None


def test_padded_batch_gives_the_same_outputs_as_one_sample():
    dec = _decoder()
    memory = torch.randn(3, 10, 12)
    short = torch.tensor([1, 5, 6, 7])
    batch = torch.zeros(3, 9, dtype=torch.long)  # pad = 0
    batch[0, :4] = short
    batch[1] = torch.randint(4, 25, (9,))
    batch[2, :6] = torch.randint(4, 25, (6,))
    batched, _ = dec(memory, batch)
    alone, _ = dec(memory[:1], short.unsqueeze(0))
    assert torch.allclose(batched[0, :4], alone[0], atol=1e-5)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("attention", [True, False])  # without attention, teacher forcing is one fused call
def test_teacher_forcing_equals_stepping_one_word_at_a_time(cell, attention):
    dec = _decoder(cell=cell, attention=attention)
    memory = torch.randn(2, 10, 12)
    tokens = torch.randint(4, 25, (2, 6))
    forced, alphas = dec(memory, tokens)
    state, cache = dec.start(memory)
    for t in range(6):
        logits, state, alpha = dec.step(tokens[:, t], state, cache)
        assert torch.allclose(logits, forced[:, t], atol=1e-5)
        if attention:
            assert torch.allclose(alpha, alphas[:, t], atol=1e-6)


def test_masked_memory_positions_get_no_attention():
    dec = _decoder()
    memory = torch.randn(2, 10, 12)
    mask = torch.ones(2, 10, dtype=torch.bool)
    mask[0, 6:] = False
    state, cache = dec.start(memory, mask)
    _, _, alpha = dec.step(torch.tensor([1, 1]), state, cache)
    assert alpha[0, 6:].abs().max() == 0
    # and the masked memory content cannot change the output
    memory2 = memory.clone()
    memory2[0, 6:] = 100.0
    state2, cache2 = dec.start(memory2, mask)
    logits_a, _, _ = dec.step(torch.tensor([1, 1]), state, cache)
    logits_b, _, _ = dec.step(torch.tensor([1, 1]), state2, cache2)
    assert torch.allclose(logits_a[0], logits_b[0], atol=1e-5)


def test_scheduled_sampling_changes_inputs_only_when_asked():
    dec = _decoder().train()
    dec.dropout.p = 0.0
    memory = torch.randn(4, 10, 12)
    tokens = torch.randint(4, 25, (4, 8))
    a, _ = dec(memory, tokens, sample_prob=0.0)
    b, _ = dec(memory, tokens, sample_prob=0.0)
    c, _ = dec(memory, tokens, sample_prob=1.0)
    assert torch.allclose(a, b)
    assert torch.allclose(a[:, 0], c[:, 0])  # the first input is always BOS/gold
    assert not torch.allclose(a[:, 1:], c[:, 1:])


def test_image_encoder_grid_shapes():
    enc = _encoder().eval()
    grid = enc(torch.rand(2, 3, 64, 64))
    assert grid.shape == (2, 64, 32)  # an 8x8 grid of 32-d features
    enc = _encoder(arch="resnet18", grid_size=3).eval()
    assert enc(torch.rand(1, 3, 96, 96)).shape == (1, 9, 512)


def test_missing_imagenet_weights_is_one_clear_line(tmp_path, monkeypatch):
    from suite.errors import UserError

    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(UserError) as err:
        _encoder(arch="resnet18", pretrained=True)
    msg = str(err.value)
    assert "\n" not in msg and "resnet18-f37072fd.pth" in msg and "pretrained=false" in msg


def test_teacher_forcing_spends_no_recurrent_step_on_padding():
    dec = _decoder()
    rows = []
    dec.cell.register_forward_pre_hook(lambda m, args: rows.append(args[0].size(0)))
    tokens = torch.zeros(3, 6, dtype=torch.long)  # pad = 0
    tokens[0, :2], tokens[1, :6], tokens[2, :4] = 5, 6, 7  # 2 + 6 + 4 real input words
    logits, alphas = dec(torch.randn(3, 10, 12), tokens)
    assert sum(rows) == 12 and rows[0] == 3 and rows[-1] == 1
    assert logits.shape == (3, 6, 25) and alphas[0, 2:].abs().max() == 0  # nothing attended past the end
