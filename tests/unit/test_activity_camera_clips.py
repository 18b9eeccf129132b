"""The camera-motion clip generator: the UCF101 layout the reader accepts, and motions that match labels."""
import numpy as np
import pytest
from PIL import Image

from suite.data.video import read_video
from suite.errors import UserError
from tasks.activity.camera_clips import CLASSES, generate_camera_clips, main, render_clip, window_boxes
from tasks.activity.readers import group_of, read_ucf101


def _texture(seed: int, width=96, height=72) -> Image.Image:
    """Smooth random colour blobs (noise upsampled): a texture phase correlation can follow."""
    noise = np.random.default_rng(seed).integers(0, 256, (height // 8, width // 8, 3), dtype=np.uint8)
    return Image.fromarray(noise).resize((width, height), Image.BICUBIC)


def _photos(folder, seeds) -> str:
    folder.mkdir(parents=True)
    for s in seeds:
        _texture(s).save(folder / f"photo_{s}.png")
    return str(folder)


def _shift(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(dx, dy) by which the content of frame `a` moved to reach frame `b` (phase correlation; a Hann
    window hides the frame edges, which would otherwise pull the peak to no shift)."""
    hann = np.outer(np.hanning(a.shape[0]), np.hanning(a.shape[1]))  # (S, S)
    fa, fb = (np.fft.fft2((f.mean(-1) - f.mean()) * hann) for f in (a.astype(float), b.astype(float)))
    r = fb * np.conj(fa)
    peak = np.fft.ifft2(r / (np.abs(r) + 1e-9)).real  # a delta at the displacement
    dy, dx = np.unravel_index(peak.argmax(), peak.shape)
    h, w = peak.shape
    return (dx - w if dx > w // 2 else dx), (dy - h if dy > h // 2 else dy)


def _content_motion(clip: np.ndarray) -> tuple[float, float]:
    """Mean (dx, dy) a frame of a (T, S, S, 3) clip's content, from consecutive frames."""
    steps = np.array([_shift(clip[t], clip[t + 1]) for t in range(len(clip) - 1)])  # (T-1, 2)
    return tuple(steps.mean(0))


@pytest.mark.parametrize("cls, sign, axis", [("PanLeft", +1, 0), ("PanRight", -1, 0), ("TiltUp", +1, 1),
                                             ("TiltDown", -1, 1)])
def test_a_pan_or_tilt_moves_the_content_against_the_camera(cls, sign, axis):
    # the camera turns left: the window moves left over the photo, the content moves right in the frame
    clip = render_clip(_texture(1, 256, 192), cls, np.random.default_rng(3), frames=8, size=64)
    motion = _content_motion(clip)
    assert sign * motion[axis] > 1.0 and abs(motion[1 - axis]) < 0.5  # px a frame, along the named axis only


def test_static_barely_moves_and_zoom_changes_only_the_window_size():
    assert max(abs(m) for m in _content_motion(render_clip(_texture(2, 256, 192), "Static",
                                                           np.random.default_rng(0), 8, 64))) < 0.5
    for cls, shrinking in (("ZoomIn", True), ("ZoomOut", False)):
        boxes = window_boxes(cls, np.random.default_rng(0), 8, 256, 192)  # (T, 4) left, top, right, bottom
        side = boxes[:, 2] - boxes[:, 0]
        assert (np.diff(side) < 0).all() == shrinking and (np.diff(side) > 0).all() != shrinking
        assert side.max() / side.min() > 1.3  # a zoom worth the name
        centre = (boxes[:, :2] + boxes[:, 2:]) / 2
        assert np.abs(centre - centre[0]).max() < 0.05 * side.max()  # only the shake moves the centre
    for b in window_boxes("PanRight", np.random.default_rng(5), 8, 100, 60):
        assert b[0] >= 0 and b[1] >= 0 and b[2] <= 100 and b[3] <= 60  # always inside the photo


def test_the_clips_are_in_the_ucf101_layout_with_disjoint_photos_and_every_class_per_photo(tmp_path):
    out = generate_camera_clips(tmp_path / "clips", train_photos=_photos(tmp_path / "a", [1, 2]),
                                test_photos=_photos(tmp_path / "b", [3]), train_per_photo=1, frames=6, size=16)
    s = read_ucf101(out, 1, val_fraction=0.5, seed=0)
    assert s.classes == list(CLASSES) and not s.missing
    assert len(s.train) + len(s.val) == 2 * 7 and len(s.test) == 7  # one clip of each class per photo
    assert len(s.val) == 7  # one of the two photos (groups) of each class
    train_groups = {group_of(c.path).split("/")[1] for c in s.train + s.val}
    test_groups = {group_of(c.path).split("/")[1] for c in s.test}
    assert train_groups == {"g01", "g02"} and test_groups == {"g03"}  # no photo in both
    for c in s.test:
        assert CLASSES[c.label] in c.path.split("UCF-101/")[1].split("/")[0]  # the folder is the label
        assert read_video(c.path).shape == (6, 16, 16, 3)  # (T, S, S, 3): decodes as a real video
    pan = read_video(next(c.path for c in s.test if CLASSES[c.label] == "PanLeft"))
    assert not np.array_equal(pan[0], pan[-1])
    # the same settings again: reused, not rewritten
    stamp = (out / "camera_clips.json").stat().st_mtime_ns
    generate_camera_clips(out, train_photos=tmp_path / "a", test_photos=tmp_path / "b", train_per_photo=1,
                          frames=6, size=16)
    assert (out / "camera_clips.json").stat().st_mtime_ns == stamp


def test_the_generator_is_seeded():
    photo = _texture(4, 128, 96)
    a = render_clip(photo, "ZoomOut", np.random.default_rng([0, 1]), 6, 32)
    assert np.array_equal(a, render_clip(photo, "ZoomOut", np.random.default_rng([0, 1]), 6, 32))
    assert not np.array_equal(a, render_clip(photo, "ZoomOut", np.random.default_rng([0, 2]), 6, 32))


def test_generator_mistakes_are_one_line(tmp_path, capsys):
    photos = _photos(tmp_path / "a", [1])
    with pytest.raises(UserError, match="1 photos are in both the train and the test folder"):
        generate_camera_clips(tmp_path / "o", train_photos=photos, test_photos=photos)
    (tmp_path / "empty").mkdir()
    assert main(["--train-photos", photos, "--test-photos", str(tmp_path / "empty"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error: no images (.jpg, .png, ...) in" in err


def test_data_camera_clips_generates_from_two_photo_folders_on_first_use(tmp_path):
    from suite.config import to_plain
    from tasks.activity.datamodule import ActivityDataModule
    from tests.conftest import compose_train

    cfg = compose_train(tmp_path / "run", [
        "experiment=camera_motion", "data=camera_clips", f"data.train_photos={_photos(tmp_path / 'a', [1, 2])}",
        f"data.test_photos={_photos(tmp_path / 'b', [3])}", f"data.root={tmp_path / 'clips'}", "data.size=16",
        "data.frames=6", "data.train_per_photo=1", "data.val_fraction=0.5", f"data.cache_dir={tmp_path / 'cache'}"])
    dm = ActivityDataModule(to_plain(cfg.data))
    dm.setup("fit")
    assert dm.meta.classes == list(CLASSES)
    assert (len(dm.items["train"]), len(dm.items["val"]), len(dm.items["test"])) == (7, 7, 7)
    assert (tmp_path / "clips" / "ucfTrainTestlist" / "testlist01.txt").is_file()
