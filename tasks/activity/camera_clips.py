"""Camera-motion clips cut from real photographs, written in the UCF101 layout.

A square crop window moves over a photograph: it pans left or right, tilts up or down, zooms in
or out, or holds still (7 classes). Every clip also shakes a little, as a hand-held camera does,
so `Static` is not simply "nothing changes". The class is a motion of the whole frame over a real
texture, which a model can only learn from the change between frames.

Conventions are the camera's, as a cinematographer names them: `PanLeft` turns the camera to the
left, so the window moves left over the photo and the content moves *right* in the frame;
`TiltUp` moves the window up (content moves down); `ZoomIn` shrinks the window (content grows).

Every photo gives a clip of every class, so which photo a clip shows says nothing about its
label; train clips come from one folder of photos and test clips from another, so memorising
photos cannot help on test. Clips of one photo share a UCF101 group (`v_PanLeft_g07_c01.avi`:
photo 7), so the `ucf101` reader carves val from train by whole photos of a class.

    python -m tasks.activity.camera_clips --train-photos /data/coco/train2017 \
        --test-photos /data/coco/val2017 --out /data/camera_clips
    suite-train experiment=camera_motion data.root=/data/camera_clips
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from suite.data.generated import build_once
from suite.data.media import list_images, load_image
from suite.data.video import write_video
from suite.errors import UserError

GENERATOR_VERSION = 1  # bump when the motions or the rendering change: a rerun regenerates
MARKER = "camera_clips.json"  # written last: the classes, settings and photo lists
# classInd.txt order (label i is CLASSES[i]); UCF101-style CamelCase names
CLASSES = ("PanLeft", "PanRight", "TiltUp", "TiltDown", "ZoomIn", "ZoomOut", "Static")
WINDOW = (0.45, 0.6)  # window side as a fraction of the photo's short side: room left to move
TRAVEL = (0.25, 0.5)  # pan/tilt distance over the clip, in window sides: 1-2 px a frame at 64 px, 16 frames
ZOOM = (0.55, 0.75)  # side ratio between the zoomed-in and zoomed-out ends of a zoom
SHAKE = 0.006  # per-frame window jitter (std), in window sides: ~0.4 px at 64 px, hand-held
FPS = 8  # only stored in the container; the readers sample frames by index


def window_boxes(cls: str, rng: np.random.Generator, frames: int, width: float, height: float) -> np.ndarray:
    """Per-frame crop window (left, top, right, bottom) in photo pixels for camera motion `cls` -> (T, 4)."""
    if cls not in CLASSES:
        raise ValueError(f"unknown camera motion '{cls}'")
    u = np.linspace(0.0, 1.0, frames)  # (T,) 0 -> 1 over the clip
    short = min(width, height)
    side = np.full(frames, rng.uniform(*WINDOW) * short)  # (T,)
    if cls in ("ZoomIn", "ZoomOut"):
        ratio = rng.uniform(*ZOOM)
        side = side * ratio ** (u if cls == "ZoomIn" else 1 - u)  # constant zoom rate; the widest side is side[0] or [-1]
    big = side.max()
    cx = np.full(frames, rng.uniform(big / 2, width - big / 2))  # window centre, the widest window inside
    cy = np.full(frames, rng.uniform(big / 2, height - big / 2))
    if cls.startswith(("Pan", "Tilt")):
        room = (width if cls.startswith("Pan") else height) - big  # how far the window can go
        travel = min(rng.uniform(*TRAVEL) * big, room)
        sign = -1.0 if cls in ("PanLeft", "TiltUp") else 1.0  # left and up are the negative x and y
        start = rng.uniform(big / 2, big / 2 + room - travel) if sign > 0 else \
            rng.uniform(big / 2 + travel, big / 2 + room)
        path = start + sign * travel * u  # (T,)
        cx, cy = (path, cy) if cls.startswith("Pan") else (cx, path)
    shake = rng.normal(0.0, SHAKE * big, (2, frames))  # (2, T)
    cx = np.clip(cx + shake[0], side / 2, width - side / 2)
    cy = np.clip(cy + shake[1], side / 2, height - side / 2)
    return np.stack([cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2], axis=1)  # (T, 4)


def render_clip(photo: Image.Image, cls: str, rng: np.random.Generator, frames: int, size: int) -> np.ndarray:
    """One clip of camera motion `cls` over `photo` -> (T, size, size, 3) uint8."""
    boxes = window_boxes(cls, rng, frames, photo.width, photo.height)  # (T, 4)
    # resize with a float box: sub-pixel window positions, antialiased when the window is larger
    return np.stack([np.asarray(photo.resize((size, size), Image.BILINEAR, box=tuple(b))) for b in boxes])


def _photo(path: Path, size: int) -> Image.Image:
    """The photo, downscaled so its short side is 4 clip sides (a window is then ~2 sides: sharp, cheap)."""
    img = load_image(path)
    scale = 4 * size / min(img.size)
    if scale < 1:
        img = img.resize((round(img.width * scale), round(img.height * scale)), Image.BILINEAR, reducing_gap=2.0)
    return img


def _photos(folder) -> list[Path]:
    files = list_images(folder)
    if not files:
        raise UserError(f"no images (.jpg, .png, ...) in '{folder}': give a folder of photographs")
    return files


def _build(tmp: Path, photos: dict[str, list[Path]], per_photo: dict[str, int], frames: int, size: int,
           seed: int) -> None:
    lists: dict[str, list[str]] = {"train": [], "test": []}
    group = 0  # UCF101 group = one photo; numbered across both splits, so no group is in both
    for code, split in enumerate(("train", "test")):
        for p, path in enumerate(photos[split]):
            group += 1
            photo = _photo(path, size)
            for k, cls in enumerate(CLASSES):
                for rep in range(per_photo[split]):
                    rng = np.random.default_rng([seed, code, p, k, rep])
                    rel = f"{cls}/v_{cls}_g{group:02d}_c{rep + 1:02d}.avi"
                    write_video(tmp / "UCF-101" / rel, render_clip(photo, cls, rng, frames, size), fps=FPS)
                    lists[split].append(f"{rel} {k + 1}" if split == "train" else rel)
    lists_dir = tmp / "ucfTrainTestlist"
    lists_dir.mkdir()
    (lists_dir / "classInd.txt").write_text("".join(f"{i + 1} {c}\n" for i, c in enumerate(CLASSES)))
    (lists_dir / "trainlist01.txt").write_text("".join(f"{line}\n" for line in lists["train"]))
    (lists_dir / "testlist01.txt").write_text("".join(f"{line}\n" for line in lists["test"]))
    (tmp / MARKER).write_text(json.dumps({
        "classes": list(CLASSES), "frames": frames, "size": size, "seed": seed, "per_photo": per_photo,
        "photos": {s: [str(p) for p in photos[s]] for s in photos}}, indent=1))


def generate_camera_clips(out, *, train_photos, test_photos, train_per_photo: int = 2, test_per_photo: int = 1,
                          frames: int = 16, size: int = 64, seed: int = 0) -> Path:
    """Write the clips once into `out` (UCF101 layout, split 1); a call with the same settings reuses them."""
    if frames < 2 or size < 8 or size % 2:
        raise UserError(f"frames={frames}, size={size}: a clip needs 2 frames or more and an even side of 8 px or more")
    if train_per_photo < 1 or test_per_photo < 1:
        raise UserError("--train-per-photo and --test-per-photo must be 1 or more")
    photos = {"train": _photos(train_photos), "test": _photos(test_photos)}
    shared = {p.resolve() for p in photos["train"]} & {p.resolve() for p in photos["test"]}
    if shared:
        raise UserError(f"{len(shared)} photos are in both the train and the test folder (e.g."
                        f" {next(iter(shared)).name}): give disjoint folders, or memorised photos inflate test")
    per_photo = {"train": int(train_per_photo), "test": int(test_per_photo)}
    params = {"version": GENERATOR_VERSION, "frames": frames, "size": size, "seed": seed, "per_photo": per_photo,
              "photos": {s: [str(p.resolve()) for p in photos[s]] for s in photos}}
    return build_once(out, params, lambda tmp: _build(tmp, photos, per_photo, frames, size, seed), marker=MARKER)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tasks.activity.camera_clips", description=__doc__.split("\n")[0])
    ap.add_argument("--train-photos", required=True, help="folder of photographs for the train (and val) clips")
    ap.add_argument("--test-photos", required=True, help="another folder of photographs, for the test clips")
    ap.add_argument("--out", required=True, help="folder to write UCF-101/ and ucfTrainTestlist/ into")
    ap.add_argument("--train-per-photo", type=int, default=2, help="clips of each class per train photo (default 2)")
    ap.add_argument("--test-per-photo", type=int, default=1, help="clips of each class per test photo (default 1)")
    ap.add_argument("--frames", type=int, default=16, help="frames per clip (default 16)")
    ap.add_argument("--size", type=int, default=64, help="frame side in pixels, even (default 64)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    try:
        out = generate_camera_clips(args.out, train_photos=args.train_photos, test_photos=args.test_photos,
                                    train_per_photo=args.train_per_photo, test_per_photo=args.test_per_photo,
                                    frames=args.frames, size=args.size, seed=args.seed)
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return UserError.exit_code
    info = json.loads((out / MARKER).read_text())
    n = {s: len(info["photos"][s]) * info["per_photo"][s] * len(CLASSES) for s in ("train", "test")}
    print(f"{out}: {n['train']} train and {n['test']} test clips of {len(CLASSES)} camera motions"
          f" (UCF101 layout, split 1): suite-train experiment=camera_motion data.root={out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
