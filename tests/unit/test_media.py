"""load_image and list_images on real files: every mode to RGB, every broken file to MediaError."""

import pickle

import pytest
from PIL import Image, ImageFile

from suite.data.media import IMAGE_EXTENSIONS, MediaError, list_images, load_image
from suite.errors import UserError
from tests.fixtures.caption_formats import write_jpeg


def _assert_one_line(err: pytest.ExceptionInfo, *parts: str):
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("cannot read image '")
    for p in parts:
        assert p in msg, msg


@pytest.mark.parametrize("mode", ["L", "P", "RGBA", "CMYK", "RGB", "I;16", "1"])
def test_every_mode_becomes_rgb(tmp_path, mode):
    img = Image.new("RGB", (20, 10), (200, 30, 30)).convert(mode)
    path = tmp_path / ("x.jpg" if mode in ("CMYK", "RGB") else "x.png")
    img.save(path)
    out = load_image(path)
    assert out.mode == "RGB" and out.size == (20, 10)


def test_transparent_pixels_become_white(tmp_path):
    img = Image.new("RGBA", (4, 4), (10, 20, 30, 0))
    img.putpixel((0, 0), (200, 0, 0, 255))
    img.save(tmp_path / "a.png")
    out = load_image(tmp_path / "a.png")
    assert out.getpixel((1, 1)) == (255, 255, 255) and out.getpixel((0, 0)) == (200, 0, 0)
    pal = Image.new("P", (4, 4), 0)
    pal.putpalette([0, 0, 0, 9, 200, 9] + [0] * 762)
    pal.putpixel((0, 0), 1)
    pal.save(tmp_path / "p.png", transparency=0)
    out = load_image(tmp_path / "p.png")
    assert out.getpixel((1, 1)) == (255, 255, 255) and out.getpixel((0, 0)) == (9, 200, 9)


def test_jpeg_colours_survive(tmp_path):
    out = load_image(write_jpeg(tmp_path / "a.JPG", (30, 60, 200), (48, 40)))
    r, g, b = out.getpixel((2, 2))
    assert b > 150 and r < 80 and out.size == (48, 40)


def test_truncated_jpeg_fails_at_load(tmp_path):
    path = write_jpeg(tmp_path / "t.jpg", (30, 160, 60), (96, 80))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(MediaError) as err:
        load_image(path)
    _assert_one_line(err, "t.jpg", "re-copy the file")
    assert "truncated" in err.value.reason.lower()
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


@pytest.mark.parametrize("case", ["zero_bytes", "text_as_jpg", "missing", "directory", "garbage_jpeg"])
def test_broken_files_raise_one_line_media_error(tmp_path, case):
    path = tmp_path / "bad.jpg"
    if case == "zero_bytes":
        path.write_bytes(b"")
    elif case == "text_as_jpg":
        path.write_text("this is a caption, not an image\n" * 20)
    elif case == "directory":
        path.mkdir()
    elif case == "garbage_jpeg":  # a JPEG header followed by noise
        path.write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    with pytest.raises(MediaError) as err:
        load_image(path)
    _assert_one_line(err, str(path))
    assert isinstance(err.value, UserError) and err.value.path == str(path)
    reason = {"zero_bytes": "empty", "text_as_jpg": "not a format", "missing": "no such file",
              "directory": "directory"}.get(case, "")
    assert reason in err.value.reason


@pytest.mark.parametrize("limit", [1000, 100])  # 48*40 = 1920 pixels: PIL warns (1x-2x) / errors (>2x)
def test_decompression_bomb_is_media_error(tmp_path, monkeypatch, limit):
    path = write_jpeg(tmp_path / "big.jpg", size=(48, 40))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)
    with pytest.raises(MediaError) as err:
        load_image(path)
    _assert_one_line(err, "MAX_IMAGE_PIXELS")


def test_media_error_pickles_and_rebuilds_from_a_message():
    err = pickle.loads(pickle.dumps(MediaError("a.jpg", "bad\nbytes")))
    assert str(err) == "cannot read image 'a.jpg': bad bytes (is it a real image file?)"
    assert err.path == "a.jpg" and err.reason == "bad\nbytes"
    assert str(MediaError("Caught MediaError in worker")) == "Caught MediaError in worker"


def test_list_images_sorted_flat_case_insensitive(tmp_path):
    for name in ["b.JPG", "a.png", "c.jpeg", "d.Tiff", "notes.txt", "._a.jpg", "sub/e.jpg"]:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "dir.jpg").mkdir()
    assert [p.name for p in list_images(tmp_path)] == ["a.png", "b.JPG", "c.jpeg", "d.Tiff"]
    assert all(e == e.lower() and e.startswith(".") for e in IMAGE_EXTENSIONS)
    with pytest.raises(UserError, match="does not exist"):
        list_images(tmp_path / "nope")
