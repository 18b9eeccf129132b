"""Activity data: frame sampling, the decoded-clip cache, the readers on real-layout fixtures, skips."""
import numpy as np
import pytest
import torch

from suite.data.skips import Skipped
from suite.errors import UserError
from tasks.activity import clips as clips_mod
from tasks.activity.clips import ClipCache, sample_indices
from tasks.activity.datamodule import clip_cache, collate, load_clip
from tasks.activity.readers import group_of, read_ucf101, read_video_folder
from tasks.activity.synthetic import CLASSES, render_clip
from tests.fixtures.video_formats import write_ucf101, write_video_folder


# --------------------------------------------------------------------------------- sampling
def test_tsn_takes_one_frame_per_segment_in_order():
    rng = np.random.default_rng(0)
    for _ in range(20):
        idx = sample_indices(32, 8, "tsn", train=True, rng=rng)
        assert len(idx) == 8 and all(4 * k <= i < 4 * (k + 1) for k, i in enumerate(idx))
    assert sample_indices(32, 8, "tsn", train=False).tolist() == [2, 6, 10, 14, 18, 22, 26, 30]  # centres


def test_tsn_on_a_video_shorter_than_the_segments_repeats_frames():
    idx = sample_indices(3, 8, "tsn", train=False)
    assert len(idx) == 8 and idx.min() >= 0 and idx.max() <= 2 and (np.diff(idx) >= 0).all()


def test_dense_takes_consecutive_frames_centred_at_eval():
    assert sample_indices(20, 4, "dense", train=False, stride=2).tolist() == [6, 8, 10, 12]
    rng = np.random.default_rng(1)
    starts = {int(sample_indices(20, 4, "dense", train=True, stride=2, rng=rng)[0]) for _ in range(50)}
    assert len(starts) > 5 and max(starts) <= 13  # random start, the clip always fits
    assert sample_indices(3, 4, "dense", train=False).tolist() == [0, 1, 2, 2]  # short: the last frame repeats


# ------------------------------------------------------------------------------------ cache
def test_cache_decodes_each_video_once_and_notices_edits(tmp_path, monkeypatch):
    written = write_video_folder(tmp_path / "v", classes=("left",), per_split=(1, 0, 0), splits=("train",))
    path = str(written["train"][0])
    calls = []
    real = clips_mod.read_video
    monkeypatch.setattr(clips_mod, "read_video", lambda *a: calls.append(a) or real(*a))
    cache = ClipCache(tmp_path / "cache", image_size=16, max_frames=4)
    first = cache.load(path)
    assert first.shape == (4, 16, 16, 3) and len(calls) == 1
    assert np.array_equal(cache.load(path), first) and len(calls) == 1  # second epoch: read from the .npy
    assert len(list((tmp_path / "cache").rglob("*.npy"))) == 1
    ClipCache(tmp_path / "cache", image_size=8, max_frames=4).load(path)  # other settings: decoded again
    assert len(calls) == 2


def test_unreadable_videos_are_skipped_and_the_collate_counts_them(tmp_path):
    good = write_video_folder(tmp_path / "v", classes=("left",), per_split=(2, 0, 0), splits=("train",))["train"]
    empty = tmp_path / "empty.avi"
    empty.write_bytes(b"")
    data = {"cache_dir": str(tmp_path / "cache"), "image_size": 16, "max_frames": 8, "segments": 4,
            "sampling": "tsn", "stride": 1, "hflip": False, "strict": False}
    cache = clip_cache(data)
    encoded = [{"path": str(p), "label": 0, "train": True} for p in (good[0], empty, good[1])]
    items = [load_clip(it, cache, data) for it in encoded]
    assert isinstance(items[1], Skipped) and "0 bytes" in items[1].reason
    batch = collate(items)
    assert batch["clips"].shape == (2, 4, 3, 16, 16) and batch["clips"].dtype == torch.uint8  # (B, T, 3, S, S)
    assert batch["size"] == 2 and [s.path for s in batch["skipped"]] == [str(empty)]
    assert batch["ids"] == [str(good[0]), str(good[1])]
    with pytest.raises(UserError, match="empty"):
        load_clip(encoded[1], cache, {**data, "strict": True})


def test_a_checkpoint_label_map_relabels_the_data_and_refuses_unknown_classes(tmp_path):
    from tasks.activity.datamodule import ActivityDataModule
    from tasks.activity.meta import ActivityMeta

    write_video_folder(tmp_path / "v", classes=("left", "right"), per_split=(2, 1, 1), frames=4, size=16)
    data = {"name": "video_folder", "root": str(tmp_path / "v"), "val_fraction": 0.1, "seed": 0, "image_size": 16,
            "max_frames": 4, "sampling": "tsn", "segments": 2, "stride": 1, "cache_dir": str(tmp_path / "cache"),
            "batch_size": 2, "num_workers": 0, "strict": False}
    built = ActivityDataModule(data)
    built.setup("fit")
    assert built.meta.classes == ["left", "right"] and [it["label"] for it in built.items["test"]] == [0, 1]
    swapped = ActivityDataModule(data, meta=ActivityMeta(data=data, classes=["up", "right", "left"]))
    swapped.setup("test")
    assert [it["label"] for it in swapped.items["test"]] == [2, 1]  # the checkpoint's indices, by class name
    with pytest.raises(UserError, match="never learned \\(left\\)"):
        ActivityDataModule(data, meta=ActivityMeta(data=data, classes=["right", "up"])).setup("test")
    with pytest.raises(UserError, match="data.sampling=every is unknown"):
        ActivityDataModule({**data, "sampling": "every"})


# ---------------------------------------------------------------------------------- readers
def test_ucf101_reads_labels_from_classind_and_carves_val_by_group(tmp_path):
    w = write_ucf101(tmp_path, groups=5, clips_per_group=2, test_groups=1, frames=4, size=16)
    s = read_ucf101(tmp_path, 1, val_fraction=0.3, seed=0)
    assert s.classes == w.classes
    rel = lambda clips: sorted(c.path.split("UCF-101/")[1] for c in clips)  # noqa: E731
    assert rel(s.test) == sorted(w.test)
    assert rel(s.train + s.val) == sorted(w.train + w.corrupt)  # corrupt files are found later, by decoding
    assert sorted(s.missing) == [f"UCF-101/{m}" for m in w.missing]
    train_groups, val_groups = {group_of(c.path) for c in s.train}, {group_of(c.path) for c in s.val}
    assert val_groups and not train_groups & val_groups  # no group straddles train and val
    assert {c.label for c in s.val} == {0, 1, 2}  # every class keeps val clips
    for c in s.train + s.val + s.test:  # labels come from classInd.txt via the class folder
        assert w.classes[c.label] in c.path
    assert any("whole groups" in n and "seed 0" in n for n in s.notes)
    again = read_ucf101(tmp_path, 1, val_fraction=0.3, seed=0)
    assert [c.path for c in again.val] == [c.path for c in s.val]  # seeded


def test_ucf101_errors_are_one_clear_line(tmp_path):
    write_ucf101(tmp_path, groups=2, frames=4, size=16, broken=False, crlf=True)
    with pytest.raises(UserError, match="data.split=4 is not a UCF101 split"):
        read_ucf101(tmp_path, 4)
    with pytest.raises(UserError, match="no trainlist02.txt"):
        read_ucf101(tmp_path, 2)
    with pytest.raises(UserError, match="strict=false"):
        (tmp_path / "UCF-101" / "Archery" / "v_Archery_g02_c01.avi").unlink()
        read_ucf101(tmp_path, 1, strict=True)
    (tmp_path / "ucfTrainTestlist" / "classInd.txt").unlink()
    with pytest.raises(UserError, match="classInd.txt"):
        read_ucf101(tmp_path, 1)


def test_video_folder_carves_val_per_class_when_there_is_no_val_folder(tmp_path):
    write_video_folder(tmp_path, classes=("left", "right"), per_split=(5, 0, 2), splits=("train", "test"), frames=4,
                       size=16)
    (tmp_path / "test" / "sideways").mkdir()
    s = read_video_folder(tmp_path, val_fraction=0.2, seed=0)
    assert s.classes == ["left", "right"]
    assert len(s.train) == 8 and len(s.val) == 2 and {c.label for c in s.val} == {0, 1}
    assert len(s.test) == 4
    assert any("carved" in n for n in s.notes) and any("sideways" in n for n in s.notes)


def test_video_folder_without_classes_is_one_clear_line(tmp_path):
    with pytest.raises(UserError, match="train/<class>/<video>.mp4"):
        read_video_folder(tmp_path)


# -------------------------------------------------------------------------------- synthetic
def test_synthetic_clips_are_deterministic_and_move():
    a = render_clip("move_right", np.random.default_rng([0, 0, 3]), frames=8, size=32)
    b = render_clip("move_right", np.random.default_rng([0, 0, 3]), frames=8, size=32)
    assert a.shape == (8, 32, 32, 3) and np.array_equal(a, b)
    assert len(CLASSES) == 10 and list(CLASSES) == sorted(CLASSES)


def test_opposite_motions_have_the_same_frames_on_average():
    """What makes frame averaging fail: over many clips, left and right (grow and shrink) give
    the same mean image, so only the order of the frames tells them apart."""
    def mean_frame(cls):
        return np.mean([render_clip(cls, np.random.default_rng(i), 8, 32).mean(0) for i in range(60)], axis=0)

    for a, b in (("move_left", "move_right"), ("grow", "shrink")):
        fa, fb = mean_frame(a), mean_frame(b)
        late_a = np.mean([render_clip(a, np.random.default_rng(i), 8, 32)[-1] for i in range(60)], axis=0)
        late_b = np.mean([render_clip(b, np.random.default_rng(i), 8, 32)[-1] for i in range(60)], axis=0)
        # the clip average differs far less between the classes than their last frames do
        assert np.abs(fa - fb).mean() < 0.5 * np.abs(late_a - late_b).mean()
