"""NER learning check: a short run on synthetic news beats the task's own lookup baseline (every word
its most frequent training tag; val/f1_lookup, test/f1_lookup in metrics.json) by a stated margin."""
from suite.engine import train
from tests.conftest import compose_train
from tests.tiny import tiny

# 1,200 sentences, 2 epochs of batches of 16, a small tagger: 20 s on the 2 shared cores (load ~9)
LEARN = tiny("ner", "data.n_train=1200", "data.n_val=200", "data.n_test=100", "data.batch_size=16",
             "model.word_embed_size=32", "model.chars.embed_size=16", "model.chars.hidden_size=16",
             "model.encoder.hidden_size=48", "model.optimizer.lr=0.01", "trainer.max_epochs=2")
MARGIN = 0.3  # entity F1 over the baseline; measured: 0.862 against 0.391 (val)


def test_a_short_run_beats_the_lookup_baseline(tmp_path):
    m = train(compose_train(tmp_path, LEARN))
    # held-out and ambiguous names: looking words up finds well under half the entities
    assert 0.2 < m["val/f1_lookup"] < 0.6 and 0.2 < m["test/f1_lookup"] < 0.6
    assert m["val/f1"] > m["val/f1_lookup"] + MARGIN, m
