"""model.encoder.cache_features: a frozen backbone's features computed once per item, the same training."""
import random

import pytest
import torch
import torch.nn.functional as F

from suite.config import to_plain
from suite.errors import UserError
from suite.nn.feature_cache import FeatureCache
from suite.nn.image_encoder import ImageGridEncoder
from suite.nn.video_encoder import FrameEncoder
from tests.conftest import compose_train
from tests.tiny import tiny

FROZEN = ["model.encoder.arch=resnet18", "model.encoder.pretrained=false", "model.encoder.freeze=true", "threads=1"]
# the YAML normally holds these; the constructors have no defaults of their own
IMAGE = dict(channels=(8, 16), pretrained=False, grid_size=None)
FRAME = dict(channels=(8, 16), blocks=1, pretrained=False, pool=2, feature_size=16, dropout=0.0)


def test_cache_computes_only_unseen_keys_once_even_when_a_batch_repeats_one():
    seen = []

    def compute(x):
        seen.append(x.shape[0])
        return x * 2

    cache, x = FeatureCache(), torch.tensor([[0.0], [1.0], [0.0], [3.0]])  # (N, 1): item "a" twice
    assert torch.equal(cache(compute, x, ["a", "b", "a", "c"]), x * 2)
    assert seen == [3] and len(cache) == 3  # "a" computed once
    out = cache(compute, torch.tensor([[1.0], [4.0]]), ["b", "d"])
    assert seen == [3, 1] and torch.equal(out, torch.tensor([[2.0], [8.0]]))


@pytest.mark.parametrize("make", [
    lambda: ImageGridEncoder(arch="resnet18", freeze=False, cache_features=True, **IMAGE),
    lambda: ImageGridEncoder(arch="small_cnn", freeze=True, cache_features=True, **IMAGE),  # freeze: ResNets only
    lambda: FrameEncoder(arch="frame_cnn", freeze=True, cache_features=True, **FRAME),
])
def test_caching_an_unfrozen_backbone_is_one_clear_line(make):
    with pytest.raises(UserError, match="model.encoder.freeze=true") as err:
        make()
    msg = str(err.value)
    assert "\n" not in msg and "cache_features=true needs a frozen ResNet" in msg and "cache_features=false" in msg


def _train(module, loader, step, epochs: int = 2) -> list[float]:
    """A few Adam steps over `epochs` passes; the same seeds for every call."""
    torch.manual_seed(1)
    random.seed(1)
    opt = torch.optim.Adam([p for p in module.parameters() if p.requires_grad], lr=3e-3)
    module.train()
    losses = []
    for _ in range(epochs):
        for batch in loader():
            loss = step(module, batch)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
    return losses


def _count_images(backbone: torch.nn.Module) -> list[int]:
    calls = []
    backbone.register_forward_hook(lambda m, inputs, out: calls.append(inputs[0].shape[0]))
    return calls


def _captioning(tmp_path, cache: bool):
    from tasks.captioning.datamodule import CaptionDataModule
    from tasks.captioning.module import CaptioningModule

    cfg = compose_train(tmp_path, tiny("captioning", *FROZEN, "data.image_size=32", "data.n_train=24",
                                       f"model.encoder.cache_features={str(cache).lower()}"))
    dm = CaptionDataModule(to_plain(cfg.data))
    dm.setup("fit")
    torch.manual_seed(0)
    return dm, CaptioningModule(to_plain(cfg.model), dm.metadata())


def test_captioning_trains_the_same_with_the_cache_and_encodes_each_image_once(tmp_path):
    runs = {}
    for cache in (False, True):
        dm, module = _captioning(tmp_path, cache)
        calls = _count_images(module.encoder.backbone.body)
        losses = _train(module, dm.train_dataloader, lambda m, b: m._losses(b)[0])
        module.eval()
        with torch.no_grad():  # validation uses the cache too: its own paths, never a train image's features
            val = [module._losses(b)[0].item() for _ in range(2) for b in dm.val_dataloader()]
        runs[cache] = losses, val, sum(calls)
    assert runs[True][0] == pytest.approx(runs[False][0], rel=1e-5, abs=1e-6)
    assert runs[True][1] == pytest.approx(runs[False][1], rel=1e-5, abs=1e-6)
    n_train, n_val = len(dm.items["train"]), len(dm.items["val"])
    assert runs[False][2] == 2 * n_train + 2 * n_val  # every epoch, every image through the CNN
    assert runs[True][2] == n_train + n_val  # once per image over two epochs and two validations
    assert len(module.encoder.feature_cache) == n_train + n_val


def _activity(tmp_path, cache: bool):
    from tasks.activity.datamodule import ActivityDataModule
    from tasks.activity.module import ActivityModule

    cfg = compose_train(tmp_path, tiny("activity", *FROZEN, f"model.encoder.cache_features={str(cache).lower()}"))
    dm = ActivityDataModule(to_plain(cfg.data))
    dm.setup("fit")
    torch.manual_seed(0)
    return dm, ActivityModule(to_plain(cfg.model), dm.metadata())


def test_activity_trains_the_same_with_the_cache_and_encodes_each_frame_once(tmp_path):
    from tasks.activity.module import frame_keys

    def step(module, batch):
        keys.update(frame_keys(batch))
        return F.cross_entropy(module.net(batch["clips"], frame_keys(batch)), batch["labels"])

    runs = {}
    for cache in (False, True):
        keys = set()
        dm, module = _activity(tmp_path, cache)
        calls = _count_images(module.net.encoder.backbone)
        runs[cache] = _train(module, dm.train_dataloader, step), sum(calls), len(keys)
    assert runs[True][0] == pytest.approx(runs[False][0], rel=1e-5, abs=1e-6)
    n_frames = 2 * len(dm.items["train"]) * int(dm.data["segments"])  # frames fed over two epochs
    assert runs[False][1] == n_frames
    # random TSN picks: epoch 2 meets some frames again; each distinct (video, frame) went through the CNN once
    assert runs[True][1] == runs[True][2] == len(module.net.encoder.feature_cache) < n_frames


@pytest.mark.parametrize("overrides", [tiny("captioning", "data.image_size=32", "data.n_train=16"), tiny("activity")],
                         ids=["captioning", "activity"])
def test_train_with_cached_features_runs_through_lightning(tmp_path, overrides):
    """Validation (inference mode) fills the cache between training epochs; eval and test read it too."""
    from suite.engine import train

    metrics = train(compose_train(tmp_path, [*overrides, *FROZEN, "model.encoder.cache_features=true",
                                             "trainer.max_epochs=2", "trainer.num_sanity_val_steps=1"]))
    assert "val/loss" in metrics and "test/loss" in metrics
