"""Captioning readers on fixtures written in exactly the real Flickr8k / COCO / Karpathy formats."""

import json
import os
from pathlib import Path

import pytest

from tasks.captioning.readers import (
    CaptionRecord,
    CaptionSplits,
    read_coco,
    read_flickr8k,
    read_karpathy,
)
from tests.errors import user_error
from tests.fixtures.caption_formats import write_coco, write_flickr8k, write_karpathy


def _key(rec: CaptionRecord, root: Path) -> str:
    return Path(os.path.relpath(rec.image, root)).as_posix()


def _check_records(out: CaptionSplits, written, by_name=False):
    """Every record: an absolute existing path, its own captions (in any order) and id."""
    for rec in out.train + out.val + out.test:
        assert os.path.isabs(rec.image) and os.path.isfile(rec.image)
        key = Path(rec.image).name if by_name else _key(rec, written.root)
        assert sorted(rec.captions) == sorted(written.captions[key]), key
        assert rec.image_id == written.ids[key]


def _names(records) -> list[str]:
    return [Path(r.image).name for r in records]



# ------------------------------------------------------------------------- Flickr8k


@pytest.mark.parametrize("text_dir", ["", "Flickr8k_text"])
@pytest.mark.parametrize("image_dir", ["Flicker8k_Dataset", "Flickr8k_Dataset", "Images"])
def test_flickr8k_token_with_official_splits(tmp_path, text_dir, image_dir):
    w = write_flickr8k(tmp_path, n_images=12, layout="token", image_dir=image_dir, text_dir=text_dir)
    out = read_flickr8k(tmp_path)
    for split in ("train", "val", "test"):
        assert _names(getattr(out, split)) == w.splits[split]  # split-file order kept
    _check_records(out, w, by_name=True)
    assert all(Path(r.image).parent.name == image_dir for r in out.train)
    assert out.missing == []
    assert any("jpg.1" in n and "skipped 5 lines" in n for n in out.notes)  # the official junk


@pytest.mark.parametrize("text_dir", ["", "Flickr8k_text"])
def test_flickr8k_kaggle_csv_without_splits_is_carved(tmp_path, text_dir):
    w = write_flickr8k(tmp_path, n_images=40, layout="kaggle", image_dir="Images", text_dir=text_dir)
    out = read_flickr8k(tmp_path, val_fraction=0.1, test_fraction=0.2, seed=3)
    assert (len(out.train), len(out.val), len(out.test)) == (28, 4, 8)
    _check_records(out, w, by_name=True)
    assert any('"look, a' in c for r in out.train for c in r.captions)  # quotes and commas intact
    ids = [set(r.image_id for r in s) for s in (out.train, out.val, out.test)]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    assert len(ids[0] | ids[1] | ids[2]) == 40
    assert any("carved 20% of images as test (8) and 10% as val (4) (seed 3)" in n for n in out.notes)
    assert read_flickr8k(tmp_path, val_fraction=0.1, test_fraction=0.2, seed=3) == out
    other = read_flickr8k(tmp_path, val_fraction=0.1, test_fraction=0.2, seed=4)
    assert _names(other.test) != _names(out.test)


def test_flickr8k_token_file_preferred_and_dev_split_carved_when_absent(tmp_path):
    w = write_flickr8k(tmp_path, n_images=20, layout="token")
    write_flickr8k(tmp_path, n_images=20, layout="kaggle", splits=False)  # both caption files
    (tmp_path / "Flickr_8k.devImages.txt").unlink()
    out = read_flickr8k(tmp_path, val_fraction=0.25)
    assert _names(out.test) == w.splits["test"]
    assert sorted(_names(out.train + out.val)) == sorted(w.splits["train"])
    assert len(out.val) == round(0.25 * len(w.splits["train"]))
    assert any("no Flickr_8k.devImages.txt" in n for n in out.notes)


def test_flickr8k_missing_images_dropped_and_counted(tmp_path):
    w = write_flickr8k(tmp_path, n_images=12, missing=2)
    out = read_flickr8k(tmp_path)
    assert out.missing == [f"Flicker8k_Dataset/{n}" for n in w.missing]
    assert len(out.train + out.val + out.test) == 10
    assert not set(w.missing) & set(_names(out.train + out.val + out.test))
    msg = user_error(read_flickr8k, tmp_path, strict=True)
    assert w.missing[0] in msg and "data.strict=false" in msg


def test_flickr8k_carving_ignores_which_images_are_present(tmp_path):
    write_flickr8k(tmp_path / "full", n_images=30, layout="kaggle")
    write_flickr8k(tmp_path / "part", n_images=30, layout="kaggle", missing=5)
    full, part = read_flickr8k(tmp_path / "full"), read_flickr8k(tmp_path / "part")
    for split in ("train", "val", "test"):
        got = _names(getattr(part, split))
        assert got == [n for n in _names(getattr(full, split)) if n in got]


def test_flickr8k_errors(tmp_path):
    msg = user_error(read_flickr8k, tmp_path / "nope")
    assert "does not exist" in msg and "set data.root=" in msg
    msg = user_error(read_flickr8k, tmp_path)
    assert "Flickr8k.token.txt or captions.txt" in msg and "set data.root=" in msg
    (tmp_path / "captions.txt").write_text("image,caption\na.jpg,A dog runs.\n")
    msg = user_error(read_flickr8k, tmp_path)
    assert "Flicker8k_Dataset" in msg and "Images" in msg and "set data.root=" in msg
    (tmp_path / "Images").mkdir()
    msg = user_error(read_flickr8k, tmp_path)
    assert msg.startswith("no usable images: 1 listed") and "set data.root=" in msg
    (tmp_path / "captions.txt").write_text("filename;text\na.jpg;A dog runs.\n")
    assert "image,caption" in user_error(read_flickr8k, tmp_path)
    assert "val_fraction" in user_error(read_flickr8k, tmp_path, val_fraction=1.5)


# ------------------------------------------------------------------------- COCO


@pytest.mark.parametrize("year", [2014, 2017])
@pytest.mark.parametrize("image_parent", ["", "images"])
def test_coco_official_val_is_test_and_val_is_carved(tmp_path, year, image_parent):
    w = write_coco(tmp_path, year=year, n_train=20, n_val=5, image_parent=image_parent)
    out = read_coco(tmp_path, val_fraction=0.1, seed=1)
    assert [r.image_id for r in out.test] == [w.ids[k] for k in w.splits["val"]]
    assert len(out.val) == 2 and len(out.train) == 18
    assert {r.image_id for r in out.train + out.val} == {w.ids[k] for k in w.splits["train"]}
    for rec in out.train + out.val + out.test:  # captions stripped, grouped per image
        key = _key(rec, tmp_path / image_parent)
        assert sorted(rec.captions) == sorted(w.captions[key]) and rec.image_id == w.ids[key]
    assert any(f"official val{year} as test" in n and "seed 1" in n for n in out.notes)
    assert read_coco(tmp_path, val_fraction=0.1, seed=1) == out


def test_coco_year_autodetect_prefers_2017_and_explicit_year_wins(tmp_path):
    write_coco(tmp_path, year=2014, n_train=6, n_val=2)
    w17 = write_coco(tmp_path, year=2017, n_train=8, n_val=3)
    assert len(read_coco(tmp_path).test) == 3 and "2017" in read_coco(tmp_path).test[0].image
    out14 = read_coco(tmp_path, year=2014)
    assert len(out14.test) == 2 and "val2014" in out14.test[0].image
    assert w17.splits["val"][0].startswith("val2017/")
    assert "data.year=2014 or 2017" in user_error(read_coco, tmp_path, year=2015)


def test_coco_missing_images_and_errors(tmp_path):
    w = write_coco(tmp_path, n_train=6, n_val=2, missing=2)
    out = read_coco(tmp_path, val_fraction=0)
    assert sorted(out.missing) == sorted(w.missing) and len(out.train) == 4 and out.val == []
    assert w.missing[0].split("/")[1] in user_error(read_coco, tmp_path, strict=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    msg = user_error(read_coco, empty)
    assert "annotations/captions_train2017.json" in msg and "set data.root=" in msg
    for name in os.listdir(tmp_path / "val2014"):
        os.remove(tmp_path / "val2014" / name)
    os.rmdir(tmp_path / "val2014")
    msg = user_error(read_coco, tmp_path)
    assert "val2014/" in msg and "images/val2014/" in msg and "set data.root=" in msg



def test_coco_captions_of_unknown_images_and_images_without_captions_are_counted(tmp_path):
    write_coco(tmp_path, n_train=6, n_val=2)
    path = tmp_path / "annotations" / "captions_train2014.json"
    data = json.loads(path.read_text())
    data["annotations"] += [{"image_id": 999999, "id": 1, "caption": "a caption of no listed image"}] * 2
    data["annotations"] = [a for a in data["annotations"] if a["image_id"] != data["images"][0]["id"]]
    path.write_text(json.dumps(data))
    out = read_coco(tmp_path, val_fraction=0)
    assert len(out.train) == 5 and out.unusable == 1  # the bare image; the 2 orphan captions are no image
    assert any("skipped 2 captions whose image_id" in n for n in out.notes)
    assert any("skipped 1 images without a caption" in n for n in out.notes)
    msg = user_error(read_coco, tmp_path, strict=True)
    assert "captions_train2014.json" in msg and "image_id" in msg and "data.strict=false" in msg


# ------------------------------------------------------------------------- Karpathy


def test_karpathy_coco_restval_and_filepath(tmp_path):
    w = write_karpathy(tmp_path, name="coco", n_images=16)
    out = read_karpathy(tmp_path)
    assert [r.image_id for r in out.train] == [w.ids[k] for k in sorted(
        w.splits["train"] + w.splits["restval"], key=lambda k: int(w.ids[k]))]
    assert [r.image_id for r in out.val] == [w.ids[k] for k in w.splits["val"]]
    assert [r.image_id for r in out.test] == [w.ids[k] for k in w.splits["test"]]
    _check_records(out, w)
    assert {Path(r.image).parent.name for r in out.train} == {"train2014", "val2014"}
    assert any("4 'restval' images added to train" in n for n in out.notes)


@pytest.mark.parametrize("name,image_dir", [("flickr8k", None), ("flickr30k", None),
                                            ("flickr8k", "Images"), ("flickr30k", ""),
                                            ("flickr8k", "images")])
def test_karpathy_flickr_image_folders(tmp_path, name, image_dir):
    w = write_karpathy(tmp_path, name=name, n_images=12, image_dir=image_dir,
                       splits=("train", "train", "val", "test"))
    out = read_karpathy(tmp_path, json_path=f"dataset_{name}.json")
    assert (len(out.train), len(out.val), len(out.test)) == (6, 3, 3)
    _check_records(out, w, by_name=True)


def test_karpathy_tokens_fallback_missing_and_strict(tmp_path):
    w = write_karpathy(tmp_path, name="flickr8k", n_images=8, missing=1)
    path = tmp_path / "dataset_flickr8k.json"
    data = json.loads(path.read_text())
    data["images"][0]["sentences"][0]["raw"] = ""
    path.write_text(json.dumps(data))
    out = read_karpathy(tmp_path, json_path=str(path))
    first = next(r for r in out.train if r.image_id == Path(w.splits["train"][0]).stem)
    assert first.captions[0] == " ".join(data["images"][0]["sentences"][0]["tokens"])
    assert out.missing == w.missing and len(out.train + out.val + out.test) == 7 and out.unusable == 0
    assert w.missing[0] in user_error(read_karpathy, tmp_path, strict=True)
    data["images"][1]["sentences"] = []  # an entry without sentences: counted, fatal under strict
    path.write_text(json.dumps(data))
    out = read_karpathy(tmp_path, json_path=str(path))
    assert out.unusable == 1 and any("skipped 1 images without a filename or sentences" in n for n in out.notes)
    msg = user_error(read_karpathy, tmp_path, json_path=str(path), strict=True)
    assert data["images"][1]["filename"] in msg and "no sentences" in msg


def test_karpathy_errors(tmp_path):
    msg = user_error(read_karpathy, tmp_path)
    assert "dataset_*.json" in msg and "set data.json=" in msg
    write_karpathy(tmp_path / "a", name="flickr8k", n_images=4, missing=4)
    msg = user_error(read_karpathy, tmp_path / "a")
    assert msg.startswith("no usable images: 4 listed") and "set data.root=" in msg
    write_karpathy(tmp_path / "a", name="coco", n_images=4)
    msg = user_error(read_karpathy, tmp_path / "a")
    assert "dataset_coco.json, dataset_flickr8k.json" in msg and "data.json=" in msg
    assert "data.json=" in user_error(read_karpathy, tmp_path / "a", json_path="nope.json")
    (tmp_path / "a" / "bad.json").write_text("{not json")
    assert "not valid JSON" in user_error(read_karpathy, tmp_path / "a", json_path="bad.json")


def test_flickr8k_split_files_naming_uncaptioned_or_leaving_images_out(tmp_path):
    w = write_flickr8k(tmp_path, n_images=12, junk=False)
    train = tmp_path / "Flickr_8k.trainImages.txt"
    train.write_text("\n".join(w.splits["train"][1:] + ["999_nocaption.jpg"]) + "\n")
    out = read_flickr8k(tmp_path)
    assert _names(out.train) == w.splits["train"][1:]
    assert any("1 images in the split files have no captions" in n for n in out.notes)
    assert any("1 captioned images are in no split file" in n for n in out.notes)


def test_coco_without_val_annotations_carves_test_too(tmp_path):
    write_coco(tmp_path, year=2017, n_train=20, n_val=2)
    (tmp_path / "annotations" / "captions_val2017.json").unlink()
    out = read_coco(tmp_path, val_fraction=0.1)
    assert (len(out.train), len(out.val), len(out.test)) == (16, 2, 2)
    assert any("no captions_val2017.json" in n for n in out.notes)
