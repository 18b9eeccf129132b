"""Speech front-end, model, evaluation and CTC decoding: exact lengths, padding invariance, decoders agree."""
import pytest
import torch

from suite.nn.audio_frontend import ConvSubsampler, LogMel, SpecAugment
from suite.nn.ctc import BeamCTCDecoder, GreedyCTCDecoder, build_ctc_decoder
from suite.errors import UserError
from tasks.speech.meta import SpeechMeta
from tasks.speech.module import SpeechModule, input_frames_for, speech_metrics
from tasks.speech.text import Chars, ctc_min_frames

ITOS = ["<blank>", " ", "e", "n", "o", "t", "w"]
MODEL = {
    "cell": "lstm", "features": {"n_mels": 32, "win_ms": 25.0, "hop_ms": 10.0},
    "specaugment": {"freq_masks": 1, "freq_width": 5, "time_masks": 1, "time_width": 5, "max_time_fraction": 0.2},
    "encoder": {"channels": [4, 4], "time_strides": [2, 2], "proj_size": 16, "hidden_size": 16, "num_layers": 2,
                "dropout": 0.0},
    "trim": {"top_db": None, "margin_ms": 50.0},
    "short_utterances": "pad",
    "decode": {"beam_size": 1, "lm": None, "lm_weight": 1.0, "word_score": 0.0},
    "optimizer": None,
}
META = SpeechMeta(chars=Chars(ITOS), words=["one", "two"], sample_rate=16000)
NO_LM = {"lm": None, "lm_weight": 1.0, "word_score": 0.0}  # lexicon-free beam search


def test_logmel_frames_and_per_utterance_normalisation():
    mel = LogMel(16000, **MODEL["features"])
    wave = torch.randn(2, 16000)
    feats, frames = mel(wave, torch.tensor([16000, 8000]))
    assert feats.shape == (2, 101, 32) and frames.tolist() == [101, 51]
    assert feats[1, 51:].abs().sum() == 0  # padding frames are exactly zero
    assert feats[0].mean(0).abs().max() < 1e-4 and (feats[0].std(0, correction=0) - 1).abs().max() < 1e-3
    louder, _ = mel(wave[:1] * 10, torch.tensor([16000]))
    assert torch.allclose(louder[0], feats[0], atol=1e-3)  # gain does not change the features


def test_specaugment_masks_only_in_training():
    aug = SpecAugment(freq_masks=2, freq_width=8, time_masks=2, time_width=10, max_time_fraction=0.5)
    x = torch.randn(3, 100, 32) + 5
    assert torch.equal(aug.eval()(x), x)
    masked = aug.train()(x)
    assert masked.shape == x.shape and (masked == 0).any()


@pytest.mark.parametrize("strides", [[2, 2], [2, 1], [3, 1]])
def test_conv_subsampler_lengths_match_its_output(strides):
    conv = ConvSubsampler(32, channels=[4, 4], time_strides=strides, proj_size=16)
    lengths = torch.tensor([37, 20, 5, 1])
    out, out_len = conv(torch.randn(4, 37, 32), lengths)
    assert out.shape[:2] == (4, int(out_len.max())) and out_len.tolist() == conv.out_lengths(lengths).tolist()


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_padded_batch_gives_the_same_outputs_as_one_sample(cell):
    torch.manual_seed(0)
    module = SpeechModule({**MODEL, "cell": cell}, META).eval()
    waves = [torch.randn(6000), torch.randn(2500), torch.randn(4001)]
    lengths = torch.tensor([len(w) for w in waves])
    batch = torch.zeros(3, 6000)
    for i, w in enumerate(waves):
        batch[i, : len(w)] = w
    with torch.no_grad():
        log_probs, frames = module(batch, lengths)
        for i, w in enumerate(waves):
            alone, n = module(w[None], lengths[i:i + 1])
            assert int(n) == int(frames[i])
            torch.testing.assert_close(log_probs[i, : int(n)], alone[0], atol=1e-5, rtol=1e-4)


def test_ctc_loss_drops_and_counts_utterances_too_short_for_their_transcript():
    module = SpeechModule({**MODEL, "short_utterances": "drop"}, META).train()
    wave = torch.randn(2, 16000)
    targets = [[3, 4, 2] * 4, [5, 6, 4] * 40]  # the second needs 120 frames; one second gives 25
    batch = {"wave": wave, "lengths": torch.tensor([16000, 16000]), "size": 2, "skipped": [],
             "targets": torch.tensor([t for row in targets for t in row]),
             "target_lengths": torch.tensor([len(t) for t in targets]),
             "min_frames": torch.tensor([ctc_min_frames(t) for t in targets]), "audio": ["a.wav", "b.wav"]}
    log_probs, frames = module(wave, batch["lengths"])
    loss = module._loss(batch, log_probs, frames, count=True)
    assert torch.isfinite(loss) and loss > 0
    assert module.skips.count == 1 and "b.wav" in module.skips.seen


def _short_batch(seconds: float, text: str) -> dict:
    target = Chars(ITOS).encode(text)
    n = int(16000 * seconds)
    return {"wave": torch.randn(1, n), "lengths": torch.tensor([n]), "size": 1, "skipped": [],
            "targets": torch.tensor(target), "target_lengths": torch.tensor([len(target)]),
            "min_frames": torch.tensor([ctc_min_frames(target)]), "audio": ["short.wav"]}


def test_a_very_short_utterance_is_padded_for_ctc_instead_of_dropped(monkeypatch):
    batch = _short_batch(0.1, "one two ten")  # 11 log-mel frames, 3 after 4x subsampling; CTC needs 11
    assert ctc_min_frames(batch["targets"].tolist()) == 11
    monkeypatch.setattr(SpeechModule, "log_train", lambda *a, **k: None)  # no trainer to log to
    torch.manual_seed(0)
    dropping = SpeechModule({**MODEL, "short_utterances": "drop"}, META).train()
    assert float(dropping.training_step(batch, 0).detach()) == 0.0 and dropping.skips.count == 1  # what it used to do
    padding = SpeechModule(MODEL, META).train()
    loss = padding.training_step(batch, 0)
    assert float(loss.detach()) > 0 and padding.skips.count == 0 and list(padding.padded) == ["short.wav"]
    loss.backward()  # the clip trains the whole network
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in padding.subsample.parameters())
    seen = []
    padding.head.register_forward_hook(lambda mod, args, out: seen.append(out.size(1)))
    padding.training_step(batch, 0)
    assert seen == [11]  # exactly the frames CTC needs, no more
    padding.eval()
    with torch.no_grad():  # evaluation does not pad: the transcript is unknown there
        _, rows = padding.eval_batch({**batch, "refs": ["one two ten"], "ids": [0]}, "val")
        assert int(padding(batch["wave"], batch["lengths"])[1]) == 3 and len(rows) == 1


@pytest.mark.parametrize("strides", [[2, 2], [2, 1], [3, 2]])
def test_input_frames_for_inverts_the_subsampling(strides):
    conv = ConvSubsampler(32, channels=[4] * len(strides), time_strides=strides, proj_size=16)
    needed = torch.arange(1, 40)
    frames = input_frames_for(needed, strides)
    assert (conv.out_lengths(frames) >= needed).all() and (conv.out_lengths(frames - 1) < needed).all()


def test_an_unknown_short_utterance_policy_is_one_clear_line():
    with pytest.raises(UserError, match="model.short_utterances=trim is not one of pad, drop"):
        SpeechModule({**MODEL, "short_utterances": "trim"}, META)


def test_conv_layers_without_a_stride_each_are_one_clear_line():
    with pytest.raises(UserError, match="channels has 2 layers but time_strides 1") as err:
        ConvSubsampler(32, channels=[4, 4], time_strides=[2], proj_size=16)
    assert "\n" not in str(err.value)


def _eval_batch(texts: list[str], seconds: list[float]) -> dict:
    targets = [Chars(ITOS).encode(t) for t in texts]
    lengths = torch.tensor([int(16000 * s) for s in seconds])  # (B,)
    return {"wave": torch.randn(len(texts), int(lengths.max())), "lengths": lengths, "size": len(texts),
            "skipped": [], "targets": torch.tensor([t for row in targets for t in row]),
            "target_lengths": torch.tensor([len(t) for t in targets]),
            "min_frames": torch.tensor([ctc_min_frames(t) for t in targets]), "audio": ["a.wav", "b.wav"],
            "refs": texts, "ids": [4, 9]}


def test_evaluation_encodes_each_batch_once_and_scores_its_rows():
    """The loss and the decoding of an evaluation batch share one pass of the network."""
    torch.manual_seed(0)
    module = SpeechModule(MODEL, META).eval()
    calls = []
    module.frontend.register_forward_hook(lambda *_: calls.append(1))
    with torch.no_grad():
        loss, rows = module.eval_batch(_eval_batch(["one two", "ten"], [1.0, 0.6]), "val")
    assert len(calls) == 1 and torch.isfinite(loss) and loss > 0
    assert [r["id"] for r in rows] == [4, 9] and [r["reference"] for r in rows] == ["one two", "ten"]
    assert all(isinstance(r["hypothesis"], str) and "clip" not in r for r in rows)  # no W&B: no clips kept
    rows[0]["hypothesis"], rows[1]["hypothesis"] = "one two", "tan"
    assert module.score(rows, "val") == pytest.approx({"wer": 1 / 3, "cer": 1 / 10})
    assert module.eval_batch({"size": 0, "skipped": []}, "val") == (None, [])  # every file unreadable


def test_examples_carry_the_clip_and_its_texts():
    module = SpeechModule(MODEL, META).eval()
    module.keep_examples = True  # what the prediction table turns on under a W&B logger
    batch = _eval_batch(["one", "two"], [0.5, 0.3])
    with torch.no_grad():
        _, rows = module.eval_batch(batch, "val")
    assert [len(r["clip"]) for r in rows] == [8000, 4800]  # each clip cut to its own length
    shown = module.example(rows[1])
    assert list(shown) == ["audio", "reference", "hypothesis"] and shown["reference"] == "two"
    _, test_rows = module.eval_batch(batch, "test")
    assert all("clip" not in r for r in test_rows)  # the table shows validation only


def test_greedy_collapses_repeats_and_drops_blanks():
    frames = [0, 3, 3, 0, 3, 4, 1, 1, 5, 0, 0, 6, 4]  # "nn o| two" with blanks between the n's
    log_probs = torch.full((1, len(frames), len(ITOS)), -10.0)
    log_probs[0, torch.arange(len(frames)), torch.tensor(frames)] = 0.0
    greedy = GreedyCTCDecoder(ITOS)
    assert greedy.ids(log_probs, torch.tensor([len(frames)]))[0] == [3, 3, 4, 1, 5, 6, 4]
    assert greedy(log_probs, torch.tensor([len(frames)])) == ["nno two"]
    assert greedy(log_probs, torch.tensor([5])) == ["nn"]  # lengths respected


def test_beam_of_one_equals_greedy():
    torch.manual_seed(0)
    log_probs = (torch.randn(4, 30, len(ITOS)) * 3).log_softmax(-1)
    lengths = torch.tensor([30, 22, 9, 1])
    def texts(decoder):
        return decoder(log_probs, lengths)

    greedy = texts(GreedyCTCDecoder(ITOS))
    assert texts(BeamCTCDecoder(ITOS, beam_size=1, **NO_LM)) == greedy and any(greedy)
    assert isinstance(build_ctc_decoder(ITOS, beam_size=1, **NO_LM), GreedyCTCDecoder)
    assert isinstance(build_ctc_decoder(ITOS, beam_size=4, **NO_LM), BeamCTCDecoder)
    assert len(texts(BeamCTCDecoder(ITOS, beam_size=8, **NO_LM))) == 4


ARPA = """\\data\\
ngram 1=5
ngram 2=3

\\1-grams:
-1.0\t<s>\t-0.3
-1.0\t</s>\t0
-0.3\tone\t-0.3
-0.3\ttwo\t-0.3
-3.0\t<unk>\t0

\\2-grams:
-0.1\t<s> one
-0.1\tone two
-0.1\ttwo </s>

\\end\\
"""


def test_kenlm_beam_search_spells_only_lexicon_words(tmp_path):
    (tmp_path / "lm.arpa").write_text(ARPA)
    torch.manual_seed(1)
    log_probs = torch.randn(2, 40, len(ITOS)).log_softmax(-1)
    lm = BeamCTCDecoder(ITOS, **{**NO_LM, "beam_size": 16, "lm": str(tmp_path / "lm.arpa")}, words=["one", "two"])
    texts = lm(log_probs, torch.tensor([40, 25]))
    assert all(t and set(t.split()) <= {"one", "two"} for t in texts)
    greedy = GreedyCTCDecoder(ITOS)(log_probs, torch.tensor([40, 25]))
    assert texts != greedy  # random posteriors spell nonsense; the lexicon forces words


def test_missing_or_broken_lm_is_one_clear_line(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        BeamCTCDecoder(ITOS, **{**NO_LM, "beam_size": 4, "lm": str(tmp_path / "nope.arpa")}, words=["one"])
    (tmp_path / "bad.arpa").write_text("not an arpa file\n")
    with pytest.raises(UserError, match="cannot load n-gram LM") as err:
        BeamCTCDecoder(ITOS, **{**NO_LM, "beam_size": 4, "lm": str(tmp_path / "bad.arpa")}, words=["one"])
    assert "\n" not in str(err.value)


def test_chars_and_ctc_min_frames():
    chars = Chars.build(["one two", "ten"])
    assert chars.itos == ["<blank>", " ", "e", "n", "o", "t", "w"]
    assert chars.encode("one x") == [4, 3, 2, 1]  # unknown characters are dropped
    assert ctc_min_frames([3, 3, 2]) == 4 and ctc_min_frames([]) == 0


def test_wer_and_cer_on_known_values():
    m = speech_metrics(["one two three", "four"], ["one too three", "four five"])
    assert m["wer"] == pytest.approx(2 / 5) and m["cer"] == pytest.approx((1 + 5) / (13 + 9))
