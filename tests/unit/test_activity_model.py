"""Activity models and metrics: shapes, what frame pooling cannot see, metrics on known values."""
import numpy as np
import pytest
import torch

from suite.errors import UserError
from tasks.activity.evaluation import clip_metrics, confusion_image
from tasks.activity.model import ClipClassifier
from tasks.activity.video_table import clip_gif


def _model(temporal="recurrent", cell="lstm", readout="last", arch="frame_cnn", input="rgb"):
    return {"input": input, "encoder": {"arch": arch, "channels": [8, 16], "blocks": 1, "pretrained": False, "freeze": False,
                        "cache_features": False, "pool": 2, "feature_size": 16, "dropout": 0.0},
            "temporal": temporal, "cell": cell, "hidden_size": 12, "num_layers": 1, "readout": readout,
            "dropout": 0.0}


CLIPS = torch.randint(0, 256, (3, 5, 3, 16, 16), dtype=torch.uint8)  # (B, T, 3, H, W)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("readout", ["last", "mean"])
def test_lrcn_gives_one_row_of_logits_per_clip(cell, readout):
    net = ClipClassifier(_model(cell=cell, readout=readout), n_classes=7).eval()
    assert net(CLIPS).shape == (3, 7)


@pytest.mark.parametrize("arch", ["small_cnn", "resnet18"])
def test_other_backbones_plug_in_without_downloading(arch):
    net = ClipClassifier(_model(arch=arch), n_classes=4).eval()
    assert net(CLIPS[:1, :2]).shape == (1, 4)


def test_frame_pool_ignores_frame_order_and_lrcn_does_not():
    torch.manual_seed(0)
    backwards = CLIPS.flip(1)  # the same clips played in reverse
    pool = ClipClassifier(_model(temporal="mean"), 5).eval()
    lrcn = ClipClassifier(_model(), 5).eval()
    with torch.no_grad():
        assert torch.allclose(pool(CLIPS), pool(backwards), atol=1e-5)
        assert not torch.allclose(lrcn(CLIPS), lrcn(backwards), atol=1e-4)


def test_each_clip_is_classified_independently_of_its_batch():
    net = ClipClassifier(_model(), 5).eval()
    with torch.no_grad():
        assert torch.allclose(net(CLIPS)[1:2], net(CLIPS[1:2]), atol=1e-5)


def test_bad_model_settings_are_one_clear_line():
    with pytest.raises(UserError, match="model.temporal=attention is unknown"):
        ClipClassifier(_model(temporal="attention"), 3)
    with pytest.raises(UserError, match="unknown cell 'lstn'"):
        ClipClassifier(_model(cell="lstn"), 3)
    with pytest.raises(UserError, match="unknown encoder arch 'vgg'"):
        ClipClassifier(_model(arch="vgg"), 3)


def test_clip_metrics_on_known_values():
    classes = ["a", "b", "c", "d", "e", "f"]
    labels = np.array([0, 0, 1, 2])
    topk = np.array([[0, 1, 2, 3, 4], [1, 0, 2, 3, 4], [1, 2, 3, 4, 5], [5, 4, 3, 1, 0]])  # last: 2 not in top-5
    metrics, confusion = clip_metrics(labels, topk, classes)
    assert metrics["acc"] == pytest.approx(0.5)  # clips 0 and 2
    assert metrics["acc_top5"] == pytest.approx(0.75)
    assert metrics["acc_class/a"] == pytest.approx(0.5) and metrics["acc_class/b"] == 1.0
    assert metrics["acc_class/c"] == 0.0 and "acc_class/d" not in metrics  # no clip of d: no rate
    assert metrics["acc_mean_class"] == pytest.approx(0.5)
    assert confusion[0, 0] == 1 and confusion[0, 1] == 1 and confusion[2, 5] == 1 and confusion.sum() == 4


def test_confusion_image_and_clip_gif_render():
    image = confusion_image(np.array([[3, 1], [0, 4]]), ["left", "right"], "val")
    assert image.width > 100 and image.height > 100
    gif = clip_gif(CLIPS[0])
    assert gif.getvalue()[:6] == b"GIF89a"
