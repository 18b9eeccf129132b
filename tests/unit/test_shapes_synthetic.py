"""The synthetic `shapes` captioning data: grammar, layout, determinism, caching, pixels."""

import json
import multiprocessing
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from suite.errors import UserError
from tasks.captioning import synthetic
from tasks.captioning.synthetic import COLOURS, SHAPES, SIZES, describe, generate_shapes

SMALL = dict(n_train=30, n_val=10, n_test=10)  # every split present, generated in ~0.1 s


def _load(json_path: Path) -> dict:
    return json.loads(json_path.read_text())


def _files(root: Path) -> dict[str, bytes]:
    """Every file under root by relative path -> bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, dict]:
    path = generate_shapes(tmp_path_factory.mktemp("shapes") / "data", **SMALL)
    return path, _load(path)


# --- the grammar -------------------------------------------------------------------------

RED = {"size": "large", "colour": "red", "shape": "circle"}
BLUE = {"size": "small", "colour": "blue", "shape": "square"}
GREEN = {"size": "small", "colour": "green", "shape": "triangle"}


def test_describe_two_horizontal_is_exactly_the_three_paraphrases():
    assert describe([RED, BLUE], "horizontal") == [
        "a large red circle to the left of a small blue square",
        "a small blue square to the right of a large red circle",
        "there is a large red circle to the left of a small blue square",
    ]


def test_describe_other_arrangements():
    assert describe([RED], "single") == ["a large red circle", "there is a large red circle"]
    assert describe([RED, BLUE], "vertical") == [
        "a large red circle above a small blue square",
        "a small blue square below a large red circle",
        "there is a large red circle above a small blue square",
    ]
    assert describe([RED, BLUE, GREEN], "horizontal") == [
        "a large red circle , a small blue square and a small green triangle from left to right",
        "a small green triangle , a small blue square and a large red circle from right to left",
    ]
    assert describe([RED, BLUE, GREEN], "vertical")[1] == (
        "a small green triangle , a small blue square and a large red circle from bottom to top"
    )


@pytest.mark.parametrize("objects,arrangement", [([RED], "horizontal"), ([RED, BLUE], "single"),
                                                 ([RED, BLUE], "diagonal"), ([], "single")])
def test_describe_rejects_impossible_scenes(objects, arrangement):
    with pytest.raises(ValueError):
        describe(objects, arrangement)


# --- layout -------------------------------------------------------------------------------

def test_karpathy_layout_splits_and_images(small):
    path, data = small
    root = path.parent
    assert path.name == "dataset_shapes.json" and data["dataset"] == "shapes"
    images = data["images"]
    assert [im["split"] for im in images] == ["train"] * 30 + ["val"] * 10 + ["test"] * 10
    assert [im["imgid"] for im in images] == list(range(50))
    sentids = [s["sentid"] for im in images for s in im["sentences"]]
    assert sentids == list(range(len(sentids)))
    for im in images:
        with Image.open(root / im["filepath"] / im["filename"]) as img:
            assert img.size == (64, 64) and img.mode == "RGB"
        assert 2 <= len(im["sentences"]) <= 3
        assert im["sentids"] == [s["sentid"] for s in im["sentences"]]
        for s in im["sentences"]:
            assert s["tokens"] == s["raw"].split() and s["raw"] == s["raw"].lower()
            assert s["imgid"] == im["imgid"]
        # The captions are the grammar applied to the stored scene.
        assert [s["raw"] for s in im["sentences"]] == describe(im["objects"], im["arrangement"])
        assert 1 <= len(im["objects"]) <= 3
        for o in im["objects"]:
            assert o["shape"] in SHAPES and o["colour"] in COLOURS and o["size"] in SIZES


def test_vocabulary_is_small_and_closed(small):
    _, data = small
    words = {t for im in data["images"] for s in im["sentences"] for t in s["tokens"]}
    grammar = set("a there is to the left of right above below , and from top bottom".split())
    assert words <= grammar | set(SHAPES) | set(COLOURS) | set(SIZES)


def test_image_size_scales(tmp_path):
    path = generate_shapes(tmp_path / "d", n_train=4, n_val=0, n_test=0, image_size=96)
    for im in _load(path)["images"]:
        with Image.open(path.parent / "images" / im["filename"]) as img:
            assert img.size == (96, 96)


# --- determinism and caching ----------------------------------------------------------------

def test_regeneration_is_byte_identical(tmp_path, small):
    path, _ = small
    again = generate_shapes(tmp_path / "again", **SMALL)
    assert _files(again.parent) == _files(path.parent)
    other = generate_shapes(tmp_path / "other", **SMALL, seed=1)
    assert other.read_bytes() != path.read_bytes()


def test_val_and_test_do_not_depend_on_n_train(tmp_path, small):
    path, data = small
    fewer = generate_shapes(tmp_path / "fewer", n_train=5, n_val=10, n_test=10)

    def held_out(p, d):
        return [(p.parent / "images" / im["filename"]).read_bytes()
                for im in d["images"] if im["split"] != "train"]

    assert held_out(fewer, _load(fewer)) == held_out(path, data)


def test_second_call_is_cached_and_a_changed_parameter_regenerates(tmp_path):
    root = tmp_path / "data"
    path = generate_shapes(root, **SMALL)
    first_image = root / "images" / "000000.png"
    stamps = (path.stat().st_mtime_ns, first_image.stat().st_mtime_ns)
    assert generate_shapes(root, **SMALL) == path
    assert (path.stat().st_mtime_ns, first_image.stat().st_mtime_ns) == stamps

    generate_shapes(root, **{**SMALL, "n_val": 3})
    assert sum(im["split"] == "val" for im in _load(path)["images"]) == 3
    assert json.loads((root / ".complete").read_text())["n_val"] == 3
    assert len(list((root / "images").iterdir())) == 30 + 3 + 10  # no stale images left
    assert sorted(p.name for p in tmp_path.iterdir()) == [".data.lock", "data"]  # no tmp dirs


def test_a_crash_never_leaves_a_dataset_that_looks_complete(tmp_path, monkeypatch):
    root = tmp_path / "data"
    real, calls = synthetic._make_image, []

    def crash_midway(rng, side):
        calls.append(1)
        if len(calls) == 5:
            raise RuntimeError("killed")
        return real(rng, side)

    monkeypatch.setattr(synthetic, "_make_image", crash_midway)
    with pytest.raises(RuntimeError):
        generate_shapes(root, **SMALL)
    assert not root.exists()
    assert [p.name for p in tmp_path.iterdir()] == [".data.lock"]

    monkeypatch.setattr(synthetic, "_make_image", real)
    generate_shapes(root, **SMALL)
    calls.clear()
    monkeypatch.setattr(synthetic, "_make_image", crash_midway)
    with pytest.raises(RuntimeError):  # regenerating with new parameters crashes too ...
        generate_shapes(root, **{**SMALL, "seed": 3})
    assert json.loads((root / ".complete").read_text())["seed"] == 0  # ... the old one stays
    assert len(_load(root / "dataset_shapes.json")["images"]) == 50


def test_refuses_to_replace_a_foreign_directory(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(UserError):
        generate_shapes(tmp_path / "mine", **SMALL)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def _generate_small(root: str) -> str:
    return str(generate_shapes(root, **SMALL))


def test_concurrent_calls_agree(tmp_path, small):
    root = str(tmp_path / "data")
    with multiprocessing.get_context("fork").Pool(2) as pool:  # two DDP ranks at once
        paths = pool.map(_generate_small, [root, root])
    assert paths[0] == paths[1]
    assert _files(Path(root)) == _files(small[0].parent)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".data.lock", "data"]


# --- the captions tell the truth about the pixels ------------------------------------------

def _blobs(pixels: np.ndarray, horizontal: bool) -> list[tuple[np.ndarray, int]]:
    """Objects in reading order, recovered from the image alone: (mean RGB, extent along axis)."""
    rgb = pixels.astype(int)  # (H, W, 3)
    mask = rgb.max(-1) - rgb.min(-1) > 60  # (H, W): objects are saturated, background grey
    if not horizontal:  # work on columns either way
        rgb, mask = rgb.transpose(1, 0, 2), mask.T
    occupied = np.concatenate([[False], mask.any(axis=0), [False]])  # (W + 2,)
    edges = np.flatnonzero(occupied[1:] != occupied[:-1])  # starts and ends of runs
    blobs = []
    for start, stop in zip(edges[::2], edges[1::2]):
        part = mask[:, start:stop]
        blobs.append((rgb[:, start:stop][part].mean(axis=0), stop - start))
    return blobs


def _named(tokens: list[str]) -> tuple[str, str]:
    """(size, colour) of an "a <size> <colour> <shape>" phrase."""
    assert tokens[0] == "a" and tokens[3] in SHAPES
    return tokens[1], tokens[2]


def test_captions_match_where_things_are_drawn(tmp_path):
    path = generate_shapes(tmp_path / "d", n_train=150, n_val=0, n_test=0)
    checked = {"to the left of": 0, "above": 0, "from left to right": 0, "from top to bottom": 0}
    for im in _load(path)["images"]:
        pixels = np.asarray(Image.open(path.parent / "images" / im["filename"]))
        for s in im["sentences"]:
            t, raw = s["tokens"], s["raw"]
            relation = next((r for r in checked if r in raw and not raw.startswith("there")), None)
            if relation is None:
                continue
            if "," not in t:  # "a A <relation> a B": A comes first in reading order
                expected = [_named(t[0:4]), _named(t[-4:])]
            else:  # "a A , a B and a C from <first> to <last>"
                expected = [_named(t[0:4]), _named(t[5:9]), _named(t[10:14])]
            blobs = _blobs(pixels, horizontal="left" in relation)
            assert len(blobs) == len(expected), (im["filename"], raw)
            for (size, colour), (mean_rgb, extent) in zip(expected, blobs):
                nearest = min(COLOURS, key=lambda c: np.sum((np.array(COLOURS[c]) - mean_rgb) ** 2))
                assert nearest == colour, (im["filename"], raw)
                assert ("large" if extent >= 13 else "small") == size, (im["filename"], raw, extent)
            checked[relation] += 1
    assert min(checked.values()) >= 10, checked  # every relation was exercised
