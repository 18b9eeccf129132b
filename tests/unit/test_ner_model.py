"""NER: seqeval F1 on hand-worked values, padding invariance of the tagger, gradient flow, bracketed output."""
import pytest
import torch

from suite.data.vocab import SPECIALS, Vocab
from tasks.ner.batch import collate
from tasks.ner.meta import Encoder, NerMeta
from tasks.ner.module import NerModule, entity_scores
from tasks.ner.predict import bracketed, tokenize

TAGS = ["O", "B-LOC", "I-LOC", "B-PER", "I-PER"]


def test_entity_f1_on_hand_worked_values():
    gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-LOC", "I-LOC", "O", "B-PER"]]
    pred = [["B-PER", "I-PER", "O", "O"],  # PER right, LOC missed
            ["B-LOC", "O", "O", "B-LOC"]]  # LOC span too short (wrong), PER typed as LOC (wrong)
    # gold entities 4, predicted 3, correct 1: P = 1/3, R = 1/4, F1 = 2PR/(P+R) = 2/7
    got = entity_scores(gold, pred)
    assert got["precision"] == pytest.approx(1 / 3) and got["recall"] == pytest.approx(1 / 4)
    assert got["f1"] == pytest.approx(2 / 7)
    assert entity_scores(gold, gold)["f1"] == 1.0
    # an I- after O starts an entity, as conlleval reads it
    assert entity_scores([["B-PER", "I-PER"]], [["I-PER", "I-PER"]])["f1"] == 1.0


def _module(crf, cell="lstm"):
    torch.manual_seed(0)
    enc = Encoder(words=Vocab([*SPECIALS, "John", "in", "Paris"]), chars=Vocab([*SPECIALS, *"JohnsinPar"]),
                  tags=TAGS, max_word_len=6)
    model = {"word_embed_size": 6, "crf": crf, "word_dropout": 0.1,
             "chars": {"cell": cell, "embed_size": 4, "hidden_size": 3, "num_layers": 1, "bidirectional": True,
                       "dropout": 0.0},
             "encoder": {"cell": cell, "hidden_size": 5, "num_layers": 1, "bidirectional": True, "dropout": 0.2}}
    return NerModule(model, NerMeta(encoder=enc)).eval(), enc


@pytest.mark.parametrize("crf, cell", [(False, "lstm"), (True, "gru"), (True, "rnn")])
def test_a_padded_batch_tags_each_sentence_as_alone(crf, cell):
    m, enc = _module(crf, cell)
    sentences = [["John", "lives", "in", "Paris"], ["Jo"], ["in", "Parisienne-Dijon-Lyon", "John", "Smith", "x"]]
    items = [{**enc.encode(s), "id": i} for i, s in enumerate(sentences)]
    batch = collate(items, enc.words.pad)
    emissions = m.emissions(m.states(batch))  # (B, T, K)
    for i, item in enumerate(items):
        one = collate([item], enc.words.pad)
        alone = m.emissions(m.states(one))[0]
        torch.testing.assert_close(emissions[i, : len(sentences[i])], alone, atol=1e-6, rtol=1e-5)
        assert m.tag(batch)[i] == m.tag(one)[0]


def test_sequence_outputs_reach_every_real_step():
    m, enc = _module(True)
    m.train()
    items = [{**enc.encode(s), "tags": t, "id": i} for i, (s, t) in enumerate([
        (["John", "in", "Paris"], [3, 0, 1]), (["Paris"], [1])])]
    loss, states = m.sequence_outputs(collate(items, enc.words.pad))
    (grad,) = torch.autograd.grad(loss, states)
    norms = grad.norm(dim=-1)  # (B, T)
    assert states.shape == (2, 3, 10) and (norms[0] > 0).all() and norms[1, 0] > 0 and (norms[1, 1:] == 0).all()


def test_bracketed_text_and_tokenizer():
    tokens = "John Smith works at Acme in New York .".split()
    tags = ["B-PER", "I-PER", "O", "O", "B-ORG", "O", "B-LOC", "I-LOC", "O"]
    assert bracketed(tokens, tags) == "[PER John Smith] works at [ORG Acme] in [LOC New York] ."
    assert [t for t, _, _ in tokenize("Jordan's team won 2-1, in U.S.")] == [
        "Jordan", "'s", "team", "won", "2-1", ",", "in", "U.S", "."]


@pytest.mark.parametrize("text, limit, expected", [
    ("John " * 1001, 1000, "input sentence has 1001 tokens, over the limit of max_tokens=1000: put one sentence a "
                           "line, or raise it (max_tokens=1001)"),
    ("John met Anna in Paris .", 5, "input sentence has 6 tokens, over the limit of max_tokens=5"),
    ("  ", 1000, "input is empty"),
    ("John met Anna", 0, "max_tokens=0 must be a positive whole number of tokens"),
    ("John met Anna", "many", "max_tokens=many must be a positive whole number of tokens")])
def test_predict_refuses_an_overlong_or_empty_sentence_in_one_line(text, limit, expected):
    from omegaconf import OmegaConf

    from suite.errors import UserError
    from tasks.ner.predict import predict

    m, _ = _module(crf=False)
    with pytest.raises(UserError) as err:
        predict(m, OmegaConf.create({"input": text, "batch_size": 4, "max_tokens": limit}))
    assert str(err.value).startswith(expected) and "\n" not in str(err.value)


def test_predict_max_tokens_comes_from_the_task_config():
    from omegaconf import OmegaConf

    from suite.config import with_task_options
    from tasks.ner.predict import predict

    cfg = with_task_options(OmegaConf.create({"input": "John met Anna in Paris .", "batch_size": 4}), "ner")
    assert cfg.max_tokens == 1000  # conf/task/ner.yaml's default
    m, _ = _module(crf=False)
    cfg.max_tokens = 6  # a sentence of exactly the limit is tagged
    assert predict(m, cfg)[0]["tokens"] == ["John", "met", "Anna", "in", "Paris", "."]


@pytest.mark.parametrize("crf", [False, True])
def test_eval_batch_gives_the_loss_and_tags_of_one_forward_pass(crf):
    m, enc = _module(crf)
    items = [{**enc.encode(s), "tags": t, "id": (i, 0)} for i, (s, t) in enumerate([
        (["John", "in", "Paris"], [3, 0, 1]), (["Paris"], [1])])]
    batch = collate(items, enc.words.pad)
    with torch.no_grad():
        loss, rows = m.eval_batch(batch, "val")
        expected = m.loss_from(m.emissions(m.states(batch)), batch)
    assert float(loss) == pytest.approx(float(expected), abs=1e-6)
    assert [r["id"] for r in rows] == [(0, 0), (1, 0)]
    assert [r["gold"] for r in rows] == [["B-PER", "O", "B-LOC"], ["B-LOC"]]
    assert [r["predicted"] for r in rows] == m.tag(batch)
    assert m.score(rows, "val") == entity_scores([r["gold"] for r in rows], [r["predicted"] for r in rows])
    assert m.example(rows[0]) is None  # no W&B table: no words carried
    shown = m.example({**rows[0], "tokens": ["John", "in", "Paris"], "predicted": ["B-PER", "O", "O"]})
    assert shown == {"gold": "[PER John] in [LOC Paris]", "predicted": "[PER John] in Paris"}


def test_meta_travels_as_plain_data_and_the_char_encoder_can_be_off():
    m, enc = _module(False)
    assert m.hparams["meta"] == {"data": {}, "encoder": enc.to_dict()}
    model = {**m.hparams["model"], "chars": None}  # model.chars=null
    off = NerModule(model, m.hparams["meta"])  # the saved dict, as load_from_checkpoint passes it
    assert off.char_encoder is None and off.rnn.rnn.input_size == 6 and off.enc.tags == TAGS
