"""experiment=camera_motion end to end on clips the generator cuts from two tiny textures: the
ucf101 reader takes them, rgb+diff trains and tests, and suite-predict classifies from the checkpoint alone."""
import numpy as np
import torch
from hydra import compose, initialize_config_dir
from PIL import Image

from suite.config import CONF_DIR
from suite.engine import predict, train
from tasks.activity.camera_clips import CLASSES, generate_camera_clips
from tests.conftest import compose_train

TINY = ["experiment=camera_motion", "debug=tiny", "trainer.max_epochs=1", "data.image_size=16", "data.max_frames=6",
        "data.segments=4", "data.batch_size=7", "data.val_fraction=0.5", "model.encoder.channels=[8,16]",
        "model.encoder.feature_size=16", "model.hidden_size=16", "threads=1"]


def _photos(folder, seeds):
    folder.mkdir(parents=True)
    for s in seeds:  # smooth colour noise: a texture, not a photograph, but it moves the same way
        noise = np.random.default_rng(s).integers(0, 256, (9, 12, 3), dtype=np.uint8)
        Image.fromarray(noise).resize((96, 72), Image.BICUBIC).save(folder / f"p{s}.jpg")
    return folder


def test_camera_motion_recipe_trains_on_generated_clips_and_predicts(tmp_path):
    clips = generate_camera_clips(tmp_path / "clips", train_photos=_photos(tmp_path / "a", [1, 2]),
                                  test_photos=_photos(tmp_path / "b", [3]), train_per_photo=1, frames=6, size=16)
    cfg = compose_train(tmp_path / "run", [*TINY, f"data.root={clips}", f"data.cache_dir={tmp_path / 'cache'}"])
    assert cfg.data.name == "ucf101" and not cfg.data.hflip and cfg.model.input == "rgb+diff"
    metrics = train(cfg)
    assert {"val/acc", "test/acc", "test/acc_class/PanLeft", "test/acc_class/Static"} <= set(metrics)
    assert 0.0 <= metrics["test/acc"] <= 1.0

    ckpt = tmp_path / "run" / "checkpoints" / "last.ckpt"
    assert torch.load(ckpt, map_location="cpu", weights_only=False)["hyper_parameters"]["model"]["input"] == "rgb+diff"
    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        pcfg = compose("predict", overrides=[f"ckpt_path={ckpt}", f"input={clips / 'UCF-101' / 'PanLeft'}"])
    rows = predict(pcfg)
    assert len(rows) == 3 and all(r["label"] in CLASSES for r in rows)  # one row per PanLeft video
