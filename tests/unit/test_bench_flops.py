"""The benchmark's recurrent FLOP counting: formula per layer, and every recurrent call recorded."""
import torch
from torch import nn

from benchmarks.flops import forward_flops, record_calls
from suite.nn.luong_decoder import LuongDecoder


def test_forward_flops_counts_every_layer_and_direction():
    lstm = nn.LSTM(10, 8, num_layers=2, bidirectional=True, batch_first=True)
    x = torch.zeros(3, 5, 10)  # 15 tokens
    expected = 2 * 15 * 4 * 8 * (10 + 8) * 2 + 2 * 15 * 4 * 8 * (16 + 8) * 2
    assert forward_flops(lstm, x) == expected
    packed = nn.utils.rnn.pack_padded_sequence(x, torch.tensor([5, 2, 1]), batch_first=True)  # 8 real tokens
    assert forward_flops(lstm, packed) == expected * 8 // 15


def test_input_feeding_steps_are_recorded_with_their_cell_flops():
    torch.manual_seed(0)
    dec = LuongDecoder(20, 16, cell="lstm", embed_size=8, hidden_size=16, num_layers=1, attention="general",
                       input_feeding=True, dropout=0.2, tie_embeddings=False)
    memory, mask, summary = torch.randn(2, 4, 16), torch.ones(2, 4, dtype=torch.bool), torch.randn(2, 16)
    state, cache = dec.start(memory, mask, summary)
    tokens = torch.randint(3, 20, (2, 6))
    original = torch.lstm_cell
    calls = record_calls(dec, lambda: dec(tokens, state, cache))
    assert torch.lstm_cell is original  # the recorder is gone again
    assert len(calls) == 6  # one single-step cell call per target position
    fn, args = calls[0]
    assert forward_flops(fn, args[0], args) == 2 * 2 * 4 * 16 * ((8 + 16) + 16)


def test_padded_bidirectional_layers_are_recorded_per_direction():
    from suite.nn.padded_rnn import run_rnn

    rnn = nn.LSTM(6, 5, num_layers=2, bidirectional=True, batch_first=True)
    x, lengths = torch.randn(3, 4, 6), torch.tensor([4, 2, 3])
    calls = record_calls(rnn, lambda: run_rnn(rnn, x, lengths))
    assert len(calls) == 4  # 2 layers x 2 directions, each one fused call
    flops = sum(forward_flops(m, args[0], args) for m, args in calls)
    assert flops == forward_flops(rnn, x)  # the same work as the bidirectional layer counted whole
