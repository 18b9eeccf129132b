"""Video I/O through PyAV: decode a file into small uint8 frames, or write frames as a video file.

Every failure a user's file can cause (missing, empty, not a video, no video stream, broken
stream) becomes one VideoError line naming the file and why, so datasets can skip and count it
and suite-predict can end in one clear line.
"""
from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import torch
import torch.nn.functional as F

from suite.errors import UserError

# Containers datasets ship (UCF101: .avi; Kinetics/YouTube: .mp4, .mkv, .webm); matched case-blind.
VIDEO_EXTENSIONS = (".avi", ".mp4", ".mkv", ".webm", ".mov")

# Codec per container when writing: each one PyAV's bundled FFmpeg encodes without extra libraries.
_WRITE_CODECS = {".avi": "mpeg4", ".mp4": "mpeg4", ".mkv": "ffv1", ".webm": "libvpx", ".mov": "mpeg4"}

_QP2LAMBDA = 118  # FFmpeg's FF_QP2LAMBDA: quantiser -> lambda units for global_quality
_FILE_HINT = "is it a real video file?"
_PATH_HINT = "check the path"


class VideoError(UserError):
    """A video that cannot be read; one line naming the file and why."""

    def __init__(self, path, reason: str | None = None, hint: str = _FILE_HINT):
        self.path, self.reason, self.hint = str(path), reason, hint
        if reason is None:  # VideoError(message): how torch's DataLoader re-raises worker errors
            super().__init__(str(path))
            return
        reason = " ".join(str(reason).split())  # one line, whatever FFmpeg put in the text
        super().__init__(f"cannot read video '{path}': {reason} ({hint})")

    def __reduce__(self):  # pickles across DataLoader worker processes with its fields intact
        return (type(self), (self.path, self.reason, self.hint))


def is_video_name(name: str) -> bool:
    return name.lower().endswith(VIDEO_EXTENSIONS) and not name.startswith(".")  # '._x.avi': macOS forks


def list_videos(folder) -> list[Path]:
    """Video files directly in `folder` (not recursive), sorted by name."""
    folder = Path(folder)
    return sorted(p for p in folder.iterdir() if is_video_name(p.name) and p.is_file()) if folder.is_dir() else []


def _fit(width: int, height: int, size: int) -> tuple[int, int]:
    """Scaled (w, h) whose short side is `size` (aspect kept)."""
    scale = size / min(width, height)
    return max(size, round(width * scale)), max(size, round(height * scale))


def read_video(path, size: int | None = None, max_frames: int | None = None) -> np.ndarray:
    """Decode every frame -> (T, S, S, 3) uint8 RGB: short side resized to `size`, centre-cropped square.

    With `max_frames`, T <= max_frames frames spread evenly over the whole video are kept (the rest
    are decoded but dropped), so a long video costs little memory: at most 2 * max_frames frames are
    held at once (every other one is dropped, and the rest resized, whenever that many are held).
    size=None keeps the native resolution (no crop). Raises VideoError when the file yields no frame.
    """
    path = Path(path)
    if not path.exists():
        raise VideoError(path, "no such file", _PATH_HINT)
    if path.is_dir():
        raise VideoError(path, "it is a directory, not a file", _PATH_HINT)
    if path.stat().st_size == 0:
        raise VideoError(path, "the file is empty (0 bytes)")
    frames: list[np.ndarray] = []  # every `stride`-th decoded frame, in order
    small: np.ndarray | None = None  # frames already decimated and resized, (K, S, S, 3)
    stride, seen, last = 1, 0, None
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise VideoError(path, "it holds no video stream")
            # no frame threading: on short clips its start-up costs more than it saves (loader
            # workers parallelise across clips instead)
            for frame in container.decode(container.streams.video[0]):
                if seen % stride == 0:
                    frames.append(frame.to_ndarray(format="rgb24"))  # (H, W, 3)
                    last = None
                else:
                    last = frame  # the video's last frame is always kept, whatever the stride
                seen += 1
                if max_frames and len(frames) + (0 if small is None else len(small)) >= 2 * max_frames:
                    # memory stays bounded however long the video: keep every other frame from here on
                    held = np.stack(frames) if size is None else resize_square(np.stack(frames), size)
                    small = held if small is None else np.concatenate([small, held])
                    small, frames, stride = np.ascontiguousarray(small[::2]), [], stride * 2  # held: frames 0, stride, 2 * stride, ...
    except VideoError:
        raise
    except PermissionError as e:
        raise VideoError(path, "permission denied", "make the file readable") from e
    except (av.FFmpegError, OSError, ValueError, EOFError) as e:  # FFmpeg errors: invalid data, EOF, ...
        if not frames and small is None:
            raise VideoError(path, str(e) or type(e).__name__) from e
        # a truncated tail (interrupted copy) still leaves the decoded head usable
    if not frames and small is None:
        raise VideoError(path, "no video frame could be decoded")
    if small is not None:  # a long video: the frames held before are already resized
        if last is not None:
            frames.append(last.to_ndarray(format="rgb24"))
        if frames:
            held = np.stack(frames)
            small = np.concatenate([small, held if size is None else resize_square(held, size)])
        video = small
        keep = np.linspace(0, len(video) - 1, max_frames).round().astype(int)
        return video[keep]  # (T, S, S, 3)
    if max_frames and len(frames) > max_frames:
        keep = np.linspace(0, len(frames) - 1, max_frames).round().astype(int)
        frames = [frames[i] for i in keep]
    video = np.stack(frames)  # (T, H, W, 3)
    return video if size is None else resize_square(video, size)


def resize_square(video: np.ndarray, size: int) -> np.ndarray:
    """(T, H, W, 3) uint8 -> (T, S, S, 3): short side to `size` (antialiased), centre crop.

    One batched torch resize: swscale per frame costs ~1 ms even for a 64 px frame."""
    t, h, w, _ = video.shape
    if (h, w) == (size, size):
        return video
    nw, nh = _fit(w, h, size)
    x = torch.from_numpy(video).permute(0, 3, 1, 2).float()  # (T, 3, H, W)
    x = F.interpolate(x, size=(nh, nw), mode="bilinear", antialias=True, align_corners=False)  # (T, 3, h, w)
    top, left = (nh - size) // 2, (nw - size) // 2
    x = x[:, :, top:top + size, left:left + size]  # (T, 3, S, S)
    return x.round().clamp(0, 255).to(torch.uint8).permute(0, 2, 3, 1).contiguous().numpy()  # (T, S, S, 3)


def write_video(path, frames: np.ndarray, fps: int = 25, codec: str | None = None, quality: int = 2) -> Path:
    """Write (T, H, W, 3) uint8 RGB frames (H, W even) as a video; the codec follows the extension.

    `quality` is the MPEG-4 quantiser (2 = near lossless, 31 = worst); lossless codecs ignore it.
    """
    path = Path(path)
    frames = np.asarray(frames, dtype=np.uint8)
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise ValueError(f"frames must be (T, H, W, 3) uint8, got shape {frames.shape}")
    codec = codec or _WRITE_CODECS.get(path.suffix.lower(), "mpeg4")
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = "yuv420p" if codec != "ffv1" else "yuv444p"
        if codec == "mpeg4":  # fixed quantiser: small clips stay sharp whatever their motion
            stream.codec_context.qscale = True  # AV_CODEC_FLAG_QSCALE
            stream.codec_context.global_quality = quality * _QP2LAMBDA
        for image in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():  # flush the encoder's delayed frames
            container.mux(packet)
    return path
