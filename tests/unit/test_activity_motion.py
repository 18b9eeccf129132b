"""model.input (frame differences) and data.hflip (a mirror that reverses left and right)."""
import numpy as np
import pytest
import torch

from suite.data.video import write_video
from suite.errors import UserError
from suite.nn.image_encoder import IMAGENET_MEAN, IMAGENET_STD
from tasks.activity.datamodule import clip_cache, load_clip
from tasks.activity.model import ClipClassifier
from tasks.activity.motion import MotionInput

STD = torch.tensor(IMAGENET_STD).view(3, 1, 1) * 255  # (3, 1, 1) per-channel std in byte units
MEAN = torch.tensor(IMAGENET_MEAN).view(3, 1, 1) * 255


def _ramp_clip(t=4, size=4) -> torch.Tensor:
    """(1, T, 3, S, S) uint8: frame i is 10*i + channel everywhere, so frame differences are 10 (in bytes)."""
    values = 10 * torch.arange(t).view(t, 1, 1, 1) + torch.arange(3).view(1, 3, 1, 1)  # (T, 3, 1, 1)
    return values.expand(t, 3, size, size).to(torch.uint8).unsqueeze(0)


def test_diff_is_the_normalised_change_between_consecutive_frames():
    clip = _ramp_clip()
    diff = MotionInput("diff")(clip)
    assert diff.shape == (1, 3, 3, 4, 4) and diff.dtype == torch.float32  # (B, T-1, 3, S, S)
    assert torch.allclose(diff[0], (10 / STD).expand(3, 3, 4, 4))  # 10 bytes over each channel's std


def test_rgb_plus_diff_stacks_the_later_frame_and_the_change_into_it():
    clip = _ramp_clip()
    both = MotionInput("rgb+diff")(clip)
    assert both.shape == (1, 3, 6, 4, 4)  # (B, T-1, 6, S, S)
    later = (clip[0, 1:].float() - MEAN) / STD  # (T-1, 3, S, S): frames 1.., normalised as the encoder does
    assert torch.allclose(both[0, :, :3], later)
    assert torch.allclose(both[0, :, 3:], MotionInput("diff")(clip)[0])
    assert MotionInput("rgb")(clip) is clip  # uint8 frames go to the encoder as they are


def _model(input="rgb", arch="frame_cnn", cache=False):
    return {"input": input, "encoder": {"arch": arch, "channels": [8, 16], "blocks": 1, "pretrained": False,
                                        "freeze": cache, "cache_features": cache, "pool": 2, "feature_size": 16,
                                        "dropout": 0.0},
            "temporal": "recurrent", "cell": "lstm", "hidden_size": 12, "num_layers": 1, "readout": "last",
            "dropout": 0.0}


@pytest.mark.parametrize("mode", ["diff", "rgb+diff"])
def test_a_difference_model_classifies_clips_and_sees_motion_not_brightness(mode):
    torch.manual_seed(0)
    net = ClipClassifier(_model(mode), n_classes=7).eval()
    clips = torch.randint(0, 200, (2, 5, 3, 16, 16), dtype=torch.uint8)  # (B, T, 3, H, W)
    with torch.no_grad():
        assert net(clips).shape == (2, 7)
        if mode == "diff":  # a clip made brighter by a constant has the same differences
            assert torch.allclose(net(clips), net(clips + 40), atol=1e-5)


def test_difference_inputs_refuse_what_cannot_work_in_one_line():
    with pytest.raises(UserError, match="model.input=flow is unknown"):
        ClipClassifier(_model("flow"), 3)
    with pytest.raises(UserError, match="arch=small_cnn takes 3-channel frames, not 6"):
        ClipClassifier(_model("rgb+diff", arch="small_cnn"), 3)
    with pytest.raises(UserError, match="caches RGB frame features"):
        ClipClassifier(_model("diff", arch="resnet18", cache=True), 3)
    with pytest.raises(UserError, match="needs 2 frames or more per clip, got 1: raise data.segments"):
        ClipClassifier(_model("diff"), 3)(torch.zeros(1, 1, 3, 16, 16, dtype=torch.uint8))


# ------------------------------------------------------------------------------------- hflip
def _left_moving_video(path, frames=8, size=16):
    """A bright vertical bar moving 1 px a frame to the left on a dark background."""
    clip = np.full((frames, size, size, 3), 20, np.uint8)  # (T, S, S, 3)
    for t in range(frames):
        clip[t, :, size - 4 - t: size - 2 - t] = 230
    write_video(path, clip, fps=8)
    return path


def _direction(clip: torch.Tensor) -> float:
    """The bar's mean horizontal step a frame in a (T, 3, S, S) clip: < 0 left, > 0 right."""
    columns = clip.float().mean(dim=(1, 2))  # (T, S) brightness per column
    centre = (columns * torch.arange(clip.shape[-1])).sum(1) / columns.sum(1)  # (T,) brightness centroid
    return float((centre[1:] - centre[:-1]).mean())


@pytest.mark.parametrize("hflip", [False, True])
def test_hflip_off_keeps_a_left_moving_clip_left_moving(tmp_path, hflip):
    path = _left_moving_video(tmp_path / "left.avi")
    data = {"cache_dir": str(tmp_path / "cache"), "image_size": 16, "max_frames": 8, "segments": 8,
            "sampling": "dense", "stride": 1, "hflip": hflip, "strict": False}
    cache = clip_cache(data)
    torch.manual_seed(0)
    train = [_direction(load_clip({"path": str(path), "label": 0, "train": True}, cache, data)["clip"])
             for _ in range(24)]
    assert all(d < -0.5 for d in train) != hflip  # flipped: some training clips move right
    if hflip:
        assert any(d > 0.5 for d in train) and any(d < -0.5 for d in train)  # half of them, drawn per clip
    evaluation = load_clip({"path": str(path), "label": 0, "train": False}, cache, data)["clip"]
    assert _direction(evaluation) < -0.5  # evaluation never mirrors


def test_a_model_config_from_before_the_option_reads_frames_and_keeps_its_weights_names():
    old = {k: v for k, v in _model().items() if k != "input"}  # a checkpoint written before model.input
    net = ClipClassifier(old, 3)
    assert net.input.mode == "rgb"
    assert list(net.state_dict()) == list(ClipClassifier(_model("rgb"), 3).state_dict())  # its weights load
