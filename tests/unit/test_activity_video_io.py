"""suite.data.video: PyAV write -> read round trips, resizing, frame spreading, clear errors."""
import pickle
import weakref

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


class _CountingAv:
    """PyAV as read_video uses it, counting the decoded frame arrays alive after each frame."""

    def __init__(self, av):
        self.av, self.arrays, self.peak = av, [], 0

    def __getattr__(self, name):
        return getattr(self.av, name)

    def open(self, *args, **kwargs):
        counter, container = self, self.av.open(*args, **kwargs)

        class Frame:
            def __init__(self, frame):
                self.frame = frame

            def to_ndarray(self, **kw):
                array = self.frame.to_ndarray(**kw)
                counter.arrays.append(weakref.ref(array))
                return array

        class Container:
            streams = container.streams

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return container.__exit__(*exc)

            def decode(self, *a):
                for frame in container.decode(*a):
                    yield Frame(frame)
                    counter.peak = max(counter.peak, sum(r() is not None for r in counter.arrays))

        container.__enter__()
        return Container()


def test_a_long_video_holds_at_most_twice_max_frames_at_once(tmp_path, monkeypatch):
    import suite.data.video as video

    t = 200  # a long video next to max_frames=4: frames are dropped while decoding, not after
    frames = np.full((t, 48, 64, 3), 120, np.uint8)
    for i in range(t):
        frames[i, :, : 2 + i * 60 // t] = (230, 30, 30)  # a red band that grows: its width tells the frame
    path = write_video(tmp_path / "long.avi", frames, fps=25)
    counting = _CountingAv(video.av)
    monkeypatch.setattr(video, "av", counting)
    kept = read_video(path, size=32, max_frames=4)
    assert kept.shape == (4, 32, 32, 3) and 0 < counting.peak <= 8  # never all 200
    widths = [int((k[16, :, 0] > 180).sum()) for k in kept]  # band width at 32 px, after the centre crop
    assert widths == sorted(widths) and widths[0] <= 2 and widths[-1] >= 30  # first to last frame, in order


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
