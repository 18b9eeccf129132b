"""Real dataset layouts train without code changes; missing and corrupt images are skipped and counted."""
import logging

import pytest

from suite.engine import train
from suite.errors import UserError
from tests.conftest import compose_train
from tests.fixtures.caption_formats import write_coco, write_flickr8k
from tests.tiny import tiny

REAL = [a for a in tiny("captioning") if not a.startswith("data.n_")] + [
    "data.image_size=32", "data.min_word_count=1", "data.num_workers=0", "data.batch_size=4"]


def _corrupt(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])  # a truncated JPEG, as an interrupted copy leaves it


def test_flickr8k_layout_trains_and_counts_bad_images(tmp_path, caplog):
    written = write_flickr8k(tmp_path / "flickr8k", n_images=20, missing=2)
    victim = written.splits["train"][0]
    _corrupt(tmp_path / "flickr8k" / "Flicker8k_Dataset" / victim)
    cfg = compose_train(tmp_path / "run", [*REAL, "data=flickr8k", f"data.root={tmp_path / 'flickr8k'}"])
    with caplog.at_level(logging.WARNING):
        metrics = train(cfg)
    assert "test/bleu4" in metrics and "val/bleu4" in metrics
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "skipped" in r.getMessage()]
    assert any(m.startswith("skipped 2 unusable images") and "listed but missing on disk" in m for m in warnings), \
        warnings
    assert any(m.startswith("skipped 1 unreadable images") and victim in m for m in warnings), warnings
    # each bad file is reported once, not once per epoch or per batch
    assert sum(victim in m for m in warnings) == 1


def test_strict_mode_fails_naming_the_file(tmp_path):
    written = write_flickr8k(tmp_path / "flickr8k", n_images=20)
    victim = written.splits["train"][0]
    _corrupt(tmp_path / "flickr8k" / "Flicker8k_Dataset" / victim)
    cfg = compose_train(tmp_path / "run", [*REAL, "data=flickr8k", f"data.root={tmp_path / 'flickr8k'}",
                                           "data.strict=true"])
    with pytest.raises(UserError, match=victim):
        train(cfg)


def test_coco_layout_trains(tmp_path):
    write_coco(tmp_path / "coco", year=2017, n_train=24, n_val=6, missing=1)
    cfg = compose_train(tmp_path / "run", [*REAL, "data=coco", f"data.root={tmp_path / 'coco'}",
                                           "data.val_fraction=0.2"])
    metrics = train(cfg)
    assert {"val/bleu4", "test/bleu4", "test/cider"} <= set(metrics)
    assert not [k for k in metrics if "relation_acc" in k]  # real photos store no scene to compare with


def test_a_dataset_without_usable_images_is_one_clear_error(tmp_path):
    write_flickr8k(tmp_path / "flickr8k", n_images=6, missing=6)
    cfg = compose_train(tmp_path / "run", [*REAL, "data=flickr8k", f"data.root={tmp_path / 'flickr8k'}"])
    with pytest.raises(UserError) as err:
        train(cfg)
    assert "\n" not in str(err.value)
