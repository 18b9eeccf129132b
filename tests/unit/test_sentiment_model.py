"""Sentiment model: padding invariance, pooling, every cell, and the gradient-flow interface."""
import pytest
import torch

from suite.data.collate import pad_sequences
from suite.data.vocab import SPECIALS, Vocab
from suite.nn.sequence_heads import masked_pool
from tasks.sentiment.meta import SentimentMeta
from tasks.sentiment.module import SentimentModule, scores

META = SentimentMeta(words=Vocab([*SPECIALS, *"the film was not good bad but great".split()]), labels=["neg", "pos"],
                     data={"max_len": 50})


def _module(cell="lstm", pooling="max", bidirectional=True, num_layers=1):
    torch.manual_seed(0)
    model = {"encoder": {"cell": cell, "embed_size": 8, "hidden_size": 6, "num_layers": num_layers,
                         "bidirectional": bidirectional, "dropout": 0.1},
             "classifier": {"pooling": pooling, "hidden_size": 5, "dropout": 0.1}}
    return SentimentModule(model, META).eval()


@pytest.mark.parametrize("cell, pooling, bidirectional, layers", [
    ("lstm", "max", True, 1), ("gru", "mean", True, 2), ("rnn", "last", False, 1), ("lstm", "last", True, 1)])
def test_a_padded_batch_gives_each_review_its_own_result(cell, pooling, bidirectional, layers):
    m = _module(cell, pooling, bidirectional, layers)
    seqs = [[4, 5, 6, 7, 8], [4, 9], [10, 4, 5, 6, 11, 8, 9]]
    tokens, lengths = pad_sequences(seqs)  # (3, 7)
    batch = m.classify(tokens, lengths)  # (3, 2)
    for i, s in enumerate(seqs):
        alone = m.classify(torch.tensor([s]), torch.tensor([len(s)]))
        torch.testing.assert_close(batch[i], alone[0], atol=1e-6, rtol=1e-5)


def test_masked_pooling_ignores_padded_steps():
    states = torch.tensor([[[1.0, 10.0], [3.0, 20.0], [99.0, 99.0]]])  # (1, 3, 2), step 2 is padding
    lengths = torch.tensor([2])
    assert masked_pool(states, lengths, "max", False).tolist() == [[3.0, 20.0]]
    assert masked_pool(states, lengths, "mean", False).tolist() == [[2.0, 15.0]]
    assert masked_pool(states, lengths, "last", False).tolist() == [[3.0, 20.0]]
    assert masked_pool(states, lengths, "last", True).tolist() == [[3.0, 10.0]]  # forward at end, backward at 0


def test_sequence_outputs_loss_depends_on_every_real_step_only():
    m = _module().train()
    tokens, lengths = pad_sequences([[4, 5, 6, 7], [4, 9]])
    loss, states = m.sequence_outputs({"tokens": tokens, "lengths": lengths, "labels": torch.tensor([0, 1])})
    assert loss.dim() == 0 and states.shape == (2, 4, 12)
    (grad,) = torch.autograd.grad(loss, states)
    norms = grad.norm(dim=-1)  # (B, T)
    assert (norms[0] > 0).all() and (norms[1, :2] > 0).all() and (norms[1, 2:] == 0).all()


def test_accuracy_and_macro_f1_from_a_confusion_matrix():
    cm = torch.tensor([[3, 1], [2, 4]])  # rows true neg/pos; columns predicted
    got = scores(cm)
    # acc 7/10; F1 neg = 2*3/(4+5) = 0.667, F1 pos = 2*4/(6+5) = 0.727; macro = 0.697
    assert got["acc"] == pytest.approx(0.7) and got["f1"] == pytest.approx((6 / 9 + 8 / 11) / 2)


@pytest.mark.parametrize("cell, bidirectional, layers", [("lstm", True, 2), ("gru", True, 1), ("rnn", False, 2)])
def test_stepwise_states_equal_packed_outputs_and_carry_gradient_through_time(cell, bidirectional, layers):
    from suite.nn.sequence_heads import PackedRNN
    from suite.nn.gradient_probe import stepwise_states

    torch.manual_seed(0)
    rnn = PackedRNN(5, cell=cell, hidden_size=4, num_layers=layers, bidirectional=bidirectional, dropout=0.0).eval()
    x, lengths = torch.randn(3, 6, 5), torch.tensor([6, 2, 4])
    outputs, states = stepwise_states(rnn.rnn, x, lengths)
    torch.testing.assert_close(outputs, rnn(x, lengths), atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(states, outputs.detach(), atol=1e-5, rtol=1e-4)
    # a loss on the forward half of the last real step of row 2: gradient reaches its earlier steps
    (grad,) = torch.autograd.grad(outputs[2, 3, :4].sum(), states)
    norms = grad.norm(dim=-1)  # (B, T)
    assert (norms[2, :4] > 0).all() and (norms[2, 4:] == 0).all() and (norms[:2] == 0).all()


def test_predict_reads_a_very_long_text_as_data_max_len_tokens(monkeypatch):
    from omegaconf import OmegaConf

    from tasks.sentiment.predict import predict

    module, seen = _module(), []
    classify = module.classify
    monkeypatch.setattr(module, "classify", lambda tokens, lengths: seen.append(tokens.shape) or classify(tokens, lengths))
    text = "the film was good " * 20000 + "but bad"  # 80,002 words: the tail is kept, the middle dropped
    (out,) = predict(module, OmegaConf.create({"input": text, "batch_size": 4}))
    assert seen == [torch.Size([1, 50])] and out["label"] in ("neg", "pos")  # bounded by the checkpoint's data.max_len


def test_eval_batch_rows_score_and_the_loss_of_one_forward_pass():
    import torch.nn.functional as F

    m = _module()
    tokens, lengths = pad_sequences([[4, 5, 6, 7, 8], [4, 9], [10, 4]])
    batch = {"tokens": tokens, "lengths": lengths, "labels": torch.tensor([1, 0, 1]), "ids": [7, 8, 9],
             "texts": ["a", "b", "c"], "size": 3}
    with torch.no_grad():
        loss, rows = m.eval_batch(batch, "test")
        probs = m.classify(tokens, lengths)  # (3, 2)
    assert loss == pytest.approx(float(F.cross_entropy(probs.log(), batch["labels"])), abs=1e-5)
    assert [r["id"] for r in rows] == [7, 8, 9] and [r["label"] for r in rows] == [1, 0, 1]
    assert [r["predicted"] for r in rows] == probs.argmax(-1).tolist()
    assert [r["probability"] for r in rows] == pytest.approx(probs.max(-1).values.tolist(), abs=1e-6)
    assert all("review" not in r for r in rows) and m.example(rows[0]) is None  # no W&B table: no text carried


def test_score_from_rows_matches_the_confusion_matrix_and_example_names_labels():
    m = _module()
    pairs = [(0, 0)] * 3 + [(0, 1)] + [(1, 0)] * 2 + [(1, 1)] * 4  # (label, predicted): the matrix above
    rows = [{"id": i, "label": y, "predicted": k, "probability": 0.9} for i, (y, k) in enumerate(pairs)]
    assert m.confusion(rows).tolist() == [[3, 1], [2, 4]]
    assert m.score(rows, "val") == pytest.approx({"acc": 0.7, "f1": (6 / 9 + 8 / 11) / 2})
    assert m.example({**rows[3], "review": "the film was good"}) == {
        "review": "the film was good", "label": "neg", "predicted": "pos 0.90"}


def test_meta_travels_as_plain_data_and_rebuilds_the_same_model():
    m = _module()
    saved = m.hparams["meta"]
    assert saved == {"data": {"max_len": 50}, "words": {"itos": META.words.itos}, "labels": ["neg", "pos"]}
    again = SentimentModule(m.hparams["model"], saved).eval()  # as load_from_checkpoint passes it
    again.load_state_dict(m.state_dict())
    tokens, lengths = pad_sequences([[4, 5, 6], [9]])
    torch.testing.assert_close(again.classify(tokens, lengths), m.classify(tokens, lengths))
    assert again.meta.encode("The film, was GREAT " * 40) == META.encode("the film , was great " * 40)
    assert len(META.encode("the film " * 100)) == 50  # data.max_len: head and tail


def test_an_unknown_pooling_is_one_line_naming_the_key():
    from suite.errors import UserError

    with pytest.raises(UserError) as err:
        _module(pooling="median")
    assert "\n" not in str(err.value) and "model.classifier.pooling" in str(err.value)
