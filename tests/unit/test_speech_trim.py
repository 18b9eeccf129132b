"""Edge-silence trimming (model.trim): cuts quiet edges to the loud span plus a margin, per utterance."""
import torch

from tasks.speech.module import SpeechModule
from tasks.speech.trim import trim_silence
from tests.unit.test_speech_nn import META, MODEL

RATE = 16000


def _clip(silence_before: float, speech: float, silence_after: float, floor: float = 1e-4) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    parts = [floor * torch.randn(int(silence_before * RATE), generator=g),
             0.3 * torch.randn(int(speech * RATE), generator=g),
             floor * torch.randn(int(silence_after * RATE), generator=g)]
    return torch.cat(parts)  # (N,)


def test_quiet_edges_are_cut_to_the_loud_span_plus_the_margin():
    a, b = _clip(0.5, 0.3, 0.2), _clip(0.05, 0.4, 0.6)
    wave = torch.zeros(2, len(b))
    wave[0, : len(a)], wave[1] = a, b
    out, lengths = trim_silence(wave, torch.tensor([len(a), len(b)]), sample_rate=RATE, top_db=30, margin_ms=50)
    # 0.3 s of speech + 50 ms each side; the second clip has only 50 ms before its speech
    assert lengths.tolist() == [int(0.4 * RATE), int(0.5 * RATE)] and out.shape == (2, int(0.5 * RATE))
    assert torch.equal(out[0, : lengths[0]], a[int(0.45 * RATE): int(0.85 * RATE)])
    assert out[0, lengths[0]:].abs().sum() == 0  # padding stays zero
    alone, n = trim_silence(b[None], torch.tensor([len(b)]), sample_rate=RATE, top_db=30, margin_ms=50)
    assert int(n) == int(lengths[1]) and torch.equal(alone[0], out[1])  # the batch does not change it


def test_trimming_makes_the_model_blind_to_edge_silence_in_every_mode():
    torch.manual_seed(0)
    module = SpeechModule({**MODEL, "trim": {"top_db": 30.0, "margin_ms": 50.0}}, META)
    speech = 0.3 * torch.randn(int(0.4 * RATE))
    quiet, noisy = (torch.cat([torch.zeros(int(s * RATE)), speech, torch.zeros(int(e * RATE))]) for s, e in
                    [(0.1, 0.1), (0.6, 0.9)])
    for mode in (module.eval, module.train):  # evaluation and training (predict runs eval's forward)
        mode()
        torch.manual_seed(1)  # SpecAugment draws the same masks for both
        with torch.no_grad():
            p_quiet, n_quiet = module(quiet[None], torch.tensor([len(quiet)]))
            torch.manual_seed(1)
            p_noisy, n_noisy = module(noisy[None], torch.tensor([len(noisy)]))
        assert int(n_quiet) == int(n_noisy) and torch.allclose(p_quiet, p_noisy, atol=1e-5)
    untrimmed = SpeechModule(MODEL, META).eval()
    with torch.no_grad():
        assert int(untrimmed(noisy[None], torch.tensor([len(noisy)]))[1]) > int(n_noisy)
