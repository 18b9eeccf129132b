"""Relation accuracy: shapes captions parsed back into scenes, and the two baselines scored with it."""
import json

import pytest

from suite.metrics import bleu_1_to_4
from tasks.captioning.baselines import baseline_metrics, image_blind_caption, layout_blind_captions
from tasks.captioning.scenes import Scene, parse_caption, read_scenes, relation_metrics
from tasks.captioning.synthetic import describe, generate_shapes

RED, BLUE, GREEN = ("large", "red", "circle"), ("small", "blue", "square"), ("small", "green", "triangle")
ROW = Scene((RED, BLUE, GREEN), "horizontal")  # red, blue, green from left to right
PAIR = Scene((RED, BLUE), "vertical")  # red above blue


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    """A generated dataset's held-out scenes and references, as the datamodule encodes them."""
    path = generate_shapes(tmp_path_factory.mktemp("shapes") / "data", n_train=60, n_val=120, n_test=0)
    scenes = read_scenes(path)
    images = json.loads(path.read_text())["images"]
    val = [im for im in images if im["split"] == "val"]
    refs = [[" ".join(t for t in s["tokens"] if t != ",") for s in im["sentences"]] for im in val]
    train = [" ".join(t for t in s["tokens"] if t != ",") for im in images if im["split"] == "train"
             for s in im["sentences"]]
    return [scenes[im["filename"].rsplit(".", 1)[0]] for im in val], refs, train


@pytest.mark.parametrize("caption,scene", [
    ("a large red circle", Scene((RED,), "single")),
    ("there is a small blue square", Scene((BLUE,), "single")),
    ("a large red circle above a small blue square", PAIR),
    ("a small blue square below a large red circle", PAIR),  # the same scene, said backwards
    ("there is a large red circle above a small blue square", PAIR),
    ("a small blue square to the right of a large red circle", Scene((RED, BLUE), "horizontal")),
    ("a large red circle , a small blue square and a small green triangle from left to right", ROW),
    ("a large red circle a small blue square and a small green triangle from left to right", ROW),  # tokenised
    ("a small green triangle , a small blue square and a large red circle from right to left", ROW),
    ("A Large red circle, a small blue square and a small green triangle from left to right.", ROW),
])
def test_parses_every_form_of_the_grammar(caption, scene):
    assert parse_caption(caption) == scene


@pytest.mark.parametrize("caption", [
    "", "a", "a large red", "a huge red circle", "a large red circle above", "red circle",
    "a large red circle above a small blue square and",
    "a large red circle a small blue square and a small green triangle from left to top",
    "a large red circle a small blue square from left to right",
])
def test_what_is_not_a_sentence_of_the_grammar_parses_to_none(caption):
    assert parse_caption(caption) is None


def test_relation_acc_sees_order_axis_and_missing_objects():
    scenes = [ROW] * 5
    captions = [
        "a large red circle a small blue square and a small green triangle from left to right",  # right
        "a small blue square a large red circle and a small green triangle from left to right",  # wrong order
        "a large red circle a small blue square and a small green triangle from top to bottom",  # wrong axis
        "a large red circle to the left of a small blue square",  # a missing object
        "a large red circle a small blue square and a large green triangle from left to right",  # wrong size
    ]
    got = relation_metrics(captions, scenes)
    assert got == {"relation_acc": pytest.approx(1 / 5), "object_acc": pytest.approx(3 / 5)}
    # BLEU-4 barely notices what relation_acc counts as wrong
    assert bleu_1_to_4(captions[1:3], [describe(ROW.as_objects(), ROW.arrangement)] * 2)["bleu4"] > 60


def test_relation_metrics_needs_one_caption_per_scene():
    with pytest.raises(ValueError, match="one caption per scene"):
        relation_metrics(["a large red circle"], [ROW, PAIR])


def test_every_reference_of_a_generated_dataset_states_its_scene(shapes):
    scenes, refs, _ = shapes
    assert {s.arrangement for s in scenes} == {"single", "horizontal", "vertical"}
    for scene, references in zip(scenes, refs):
        assert relation_metrics(references, [scene] * len(references)) == {"relation_acc": 1.0, "object_acc": 1.0}


def test_read_scenes_is_empty_for_a_file_without_scenes(tmp_path):
    path = tmp_path / "dataset_coco.json"
    path.write_text('{"images": [{"filename": "a.jpg", "sentences": [{"raw": "a cat"}], "split": "val"}]}')
    assert read_scenes(path) == {}


def test_layout_blind_names_the_right_objects_in_the_wrong_places(shapes):
    scenes, refs, train = shapes
    captions = layout_blind_captions(scenes)
    assert captions == layout_blind_captions(scenes)  # seeded
    got = relation_metrics(captions, scenes)
    assert got["object_acc"] == 1.0  # it always knows which objects are there ...
    multi = sum(len(s.objects) > 1 for s in scenes) / len(scenes)
    assert got["relation_acc"] < 1 - multi / 2  # ... but places most groups of 2-3 wrongly (chance: 1/4, 1/12)
    single = [c for c, s in zip(captions, scenes) if len(s.objects) == 1]
    assert relation_metrics(single, [s for s in scenes if len(s.objects) == 1])["relation_acc"] == 1.0


def test_image_blind_is_the_most_frequent_training_caption_and_scores_near_zero(shapes):
    scenes, refs, train = shapes
    assert image_blind_caption(["b c", "a", "b c", "a", "d"]) == "a"  # tie: alphabetically first
    out = baseline_metrics(train, scenes, refs)
    assert set(out) == {f"{m}_{b}" for m in ("relation_acc", "object_acc", "bleu4")
                        for b in ("image_blind", "layout_blind")}
    assert out["relation_acc_image_blind"] < 0.1 and out["bleu4_image_blind"] < out["bleu4_layout_blind"]
    assert out["relation_acc_layout_blind"] < 1.0 and out["object_acc_layout_blind"] == 1.0
