"""A tiny learning check: a short captioning run moves BLEU well past what an untrained model gets."""
from suite.engine import train
from tests.conftest import compose_train
from tests.tiny import tiny

LEARN = [a for a in tiny("captioning") if not a.startswith(("data.n_", "data.batch_size", "model.", "trainer.max_epochs"))] + [
    "data.n_train=800", "data.n_val=60", "data.n_test=0", "data.batch_size=32",
    "model.encoder.channels=[8,16,32,64]", "model.decoder.embed_size=48", "model.decoder.hidden_size=96",
    "model.decoder.attention_size=48", "model.decode.beam_size=2", "trainer.max_epochs=4",
]


def test_short_training_learns_the_shapes_captions(tmp_path):
    untrained = train(compose_train(tmp_path / "untrained", [*LEARN, "trainer.limit_train_batches=1",
                                                               "trainer.max_epochs=1"]))
    trained = train(compose_train(tmp_path / "trained", LEARN))
    assert untrained["val/bleu4"] < 5
    assert trained["val/bleu1"] > 45 and trained["val/bleu4"] > 18, trained  # measured: 61 and 32
    assert "test/bleu4" not in trained  # no test split: no test metrics, and no crash
