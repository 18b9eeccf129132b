"""suite.data.video: PyAV write -> read round trips, resizing, frame spreading, clear errors."""
import pickle

import numpy as np
import pytest

from suite.data.video import VideoError, list_videos, read_video, resize_square, write_video


def _frames(t=12, h=48, w=64):
    """A red square that moves right one step per frame on grey: every frame differs."""
    out = np.full((t, h, w, 3), 120, np.uint8)
    for i in range(t):
        out[i, 16:32, 2 * i:2 * i + 16] = (230, 30, 30)
    return out


@pytest.mark.parametrize("ext", [".avi", ".mp4", ".mkv"])
def test_write_then_read_round_trips(tmp_path, ext):
    frames = _frames()
    path = write_video(tmp_path / f"clip{ext}", frames, fps=8)
    back = read_video(path)
    assert back.shape == frames.shape and back.dtype == np.uint8
    assert np.abs(back.astype(int) - frames).mean() < 6  # near lossless at quantiser 2 / ffv1
    assert back[5, 24, 2 * 5 + 8, 0] > 180 and back[5, 24, 2 * 5 + 8, 2] < 90  # the square is where it was drawn


def test_read_resizes_short_side_and_centre_crops(tmp_path):
    path = write_video(tmp_path / "wide.avi", _frames(h=48, w=64))
    small = read_video(path, size=24)
    assert small.shape == (12, 24, 24, 3)
    # 64x48 -> 32x24, crop the middle 24 columns: the square (rows 8-16 at that scale) survives
    assert small[0, 12, :, 0].max() > 150


def test_max_frames_are_spread_over_the_whole_video(tmp_path):
    frames = _frames(t=12)
    path = write_video(tmp_path / "c.avi", frames)
    kept = read_video(path, max_frames=4)
    assert kept.shape[0] == 4
    # first and last frames are kept: the square sits at the far left, then far right
    assert kept[0, 24, 8, 0] > 180 and kept[-1, 24, 2 * 11 + 8, 0] > 180


def test_resize_square_is_identity_at_the_right_size():
    x = np.random.default_rng(0).integers(0, 255, (3, 16, 16, 3), dtype=np.uint8)
    assert resize_square(x, 16) is x


@pytest.mark.parametrize("content, expected", [(b"", "empty (0 bytes)"), (b"garbage" * 100, "cannot read video")])
def test_unreadable_files_raise_one_line(tmp_path, content, expected):
    bad = tmp_path / "bad.avi"
    bad.write_bytes(content)
    with pytest.raises(VideoError) as err:
        read_video(bad)
    msg = str(err.value)
    assert expected in msg and "bad.avi" in msg and "\n" not in msg


def test_missing_file_and_folder_say_check_the_path(tmp_path):
    for path in (tmp_path / "nope.mp4", tmp_path):
        with pytest.raises(VideoError, match="check the path"):
            read_video(path)


def test_video_error_survives_pickling_as_loader_workers_send_it(tmp_path):
    err = VideoError(tmp_path / "x.avi", "the file is empty (0 bytes)")
    back = pickle.loads(pickle.dumps(err))
    assert str(back) == str(err) and back.reason == err.reason


def test_list_videos_skips_other_files_and_macos_forks(tmp_path):
    for name in ("b.mp4", "a.AVI", "._a.avi", "notes.txt", "c.webm"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in list_videos(tmp_path)] == ["a.AVI", "b.mp4", "c.webm"]
