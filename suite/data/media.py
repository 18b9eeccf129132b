"""Media I/O: images. Every failure a user's file can cause becomes one MediaError line."""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from suite.errors import UserError

# PIL.ImageFile.LOAD_TRUNCATED_IMAGES must stay False (PIL's default; nothing in suite sets it):
# True would decode a truncated JPEG into silent grey pixels instead of failing in load_image.

# Formats PIL decodes out of the box and datasets actually ship; lower case, matched case-blind.
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff")

_FILE_HINT = "is it a real image file?"  # the usual fix when the bytes are the problem
_PATH_HINT = "check the path"  # the usual fix when there are no bytes at all


class MediaError(UserError):
    """An image (or other media file) that cannot be read; one line naming the file and why."""

    def __init__(self, path, reason: str | None = None, hint: str = _FILE_HINT):
        self.path, self.reason, self.hint = str(path), reason, hint
        if reason is None:  # MediaError(message): how torch's DataLoader re-raises worker errors
            super().__init__(str(path))
            return
        reason = " ".join(str(reason).split())  # one line, whatever PIL put in the text
        super().__init__(f"cannot read image '{path}': {reason} ({hint})")

    def __reduce__(self):  # pickles across DataLoader worker processes with its fields intact
        return (type(self), (self.path, self.reason, self.hint))


def load_image(path) -> Image.Image:
    """Open, fully decode and convert to RGB, or raise MediaError saying why not."""
    path = Path(path)
    if not path.exists():
        raise MediaError(path, "no such file", _PATH_HINT)
    if path.is_dir():
        raise MediaError(path, "it is a directory, not a file", _PATH_HINT)
    if path.stat().st_size == 0:
        raise MediaError(path, "the file is empty (0 bytes)")
    try:
        with warnings.catch_warnings():
            # PIL only warns between 1x and 2x MAX_IMAGE_PIXELS; treat that as a bomb too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                img.load()  # decode every byte now, so truncation fails here, not in a worker later
                return _to_rgb(img)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        hint = "raise PIL.Image.MAX_IMAGE_PIXELS if the image is genuine"
        raise MediaError(path, str(e), hint) from e
    except UnidentifiedImageError as e:
        raise MediaError(path, "not a format PIL recognises") from e
    except PermissionError as e:
        raise MediaError(path, "permission denied", "make the file readable") from e
    except (OSError, ValueError, SyntaxError, EOFError) as e:  # PIL decoders raise all of these
        reason = str(e) or type(e).__name__
        cut_short = "truncated" in reason.lower()  # usually an interrupted copy or download
        hint = "re-copy the file" if cut_short else _FILE_HINT
        raise MediaError(path, reason, hint) from e


def _to_rgb(img: Image.Image) -> Image.Image:
    """Any mode to RGB; transparent pixels become white rather than whatever colour they hid."""
    if img.mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    return img.convert("RGB")  # also copies, so the result outlives the closed file


def list_images(folder) -> list[Path]:
    """Image files directly in `folder` (not recursive), sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"image folder '{folder}' does not exist: check the path")
    return sorted(
        p
        for p in folder.iterdir()
        # Names starting with '.' are macOS '._x.jpg' resource forks found in zipped datasets.
        if p.suffix.lower() in IMAGE_EXTENSIONS and not p.name.startswith(".") and p.is_file()
    )
