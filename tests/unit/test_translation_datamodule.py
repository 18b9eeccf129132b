"""Translation data: over-long training pairs are dropped and counted, evaluation keeps every pair."""
import logging

from tasks.translation.datamodule import TranslationDataModule

DATA = {"name": "parallel", "src": "en", "tgt": "de", "train_prefix": "train", "val_prefix": "val",
        "test_prefix": "test", "val_fraction": 0.1, "seed": 0, "tokenizer": "word", "vocab_size": 100,
        "min_word_count": 1, "batch_size": 4, "num_workers": 0}


def _write(root, prefix, n_words):
    (root / f"{prefix}.en").write_text("".join(" ".join(["dog"] * k) + "\n" for k in n_words))
    (root / f"{prefix}.de").write_text("".join(" ".join(["Hund"] * k) + "\n" for k in n_words))


def test_long_training_pairs_are_dropped_and_counted(tmp_path, caplog):
    _write(tmp_path, "train", [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])
    _write(tmp_path, "val", [3, 20])
    _write(tmp_path, "test", [2, 30])
    dm = TranslationDataModule({**DATA, "root": str(tmp_path), "max_len": 8})
    with caplog.at_level(logging.WARNING):
        dm.setup("fit")
    assert sorted(len(it["src"]) for it in dm.items["train"]) == [2, 3, 4, 5, 6, 7, 8]
    assert "skipped 5 training pairs longer than data.max_len=8" in caplog.text
    assert [len(it["tgt"]) for it in dm.items["val"]] == [3, 8]  # evaluation keeps every pair
    batches = list(dm.train_dataloader())
    assert sorted(i for b in batches for i in b["ids"]) == list(range(7))
    for b in batches:
        assert int(b["src_lengths"].max()) == b["src"].shape[1]  # padded to the longest, no further
