"""Every task x trainer composes; what can be instantiated on a CPU machine is instantiated."""
import pytest
from hydra import compose, initialize_config_dir
from hydra.utils import instantiate
from omegaconf import OmegaConf

from suite.config import CONF_DIR, check_consistency, choices, choices_for_task
from suite.errors import UserError
from tests.conftest import compose_train

TASKS = choices("task")
TRAINERS = choices("trainer")


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("trainer", TRAINERS)
def test_every_task_and_trainer_composes(task, trainer, tmp_path):
    cfg = compose_train(tmp_path, [f"task={task}", f"trainer={trainer}"])
    OmegaConf.resolve(cfg)  # every interpolation resolves
    check_consistency(cfg)
    assert cfg.trainer.gradient_clip_val > 0  # clipping on by default everywhere
    if trainer in ("cpu", "default", "ddp_cpu"):
        t = instantiate(cfg.trainer, logger=False, enable_checkpointing=False)
        assert t.num_devices == (2 if trainer == "ddp_cpu" else 1)
    if trainer in ("gpu", "ddp", "multinode"):
        assert cfg.trainer.precision == "bf16-mixed" and cfg.trainer.accelerator == "gpu"


@pytest.mark.parametrize("task", TASKS)
def test_every_data_and_model_of_a_task_composes(task, tmp_path):
    for group in ("data", "model"):
        for name in choices_for_task(group, task):
            cfg = compose_train(tmp_path, [f"task={task}", f"{group}={name}"])
            assert cfg[group].name == name and cfg[group].task == task


@pytest.mark.parametrize("logger", choices("logger"))
def test_loggers_instantiate(logger, tmp_path):
    cfg = compose_train(tmp_path, [f"logger={logger}"])
    for node in cfg.logger.values():
        if not OmegaConf.is_dict(node):
            continue  # logger.offline / logger.log_model switches
        lg = instantiate(node)
        assert str(tmp_path) in str(lg.save_dir)


def test_wandb_is_offline_without_a_key(tmp_path, monkeypatch):
    monkeypatch.delenv("WANDB_API_KEY", raising=False)
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    assert compose_train(tmp_path).logger.wandb.offline is True
    monkeypatch.setenv("WANDB_API_KEY", "x" * 40)
    assert compose_train(tmp_path).logger.wandb.offline is False
    assert compose_train(tmp_path, ["logger.offline=true"]).logger.wandb.offline is True  # the documented switch


def test_struct_mode_rejects_unknown_keys(tmp_path):
    with pytest.raises(Exception, match="model.decoder.hiden_size"):
        compose_train(tmp_path, ["model.decoder.hiden_size=3"])


def test_every_default_carries_a_comment():
    """Each value line of a data, model or trainer default says why (a trailing '# ...')."""
    missing = []
    for group in ("data", "model", "trainer"):
        for path in sorted((CONF_DIR / group).glob("*.yaml")):
            if group == "trainer" and path.stem != "default":
                continue
            for line in path.read_text().splitlines():
                s = line.strip()
                is_value = ":" in s and not s.startswith("#") and not s.endswith(":") and not s.startswith("- ")
                trivial = s.split(":")[0] in ("task", "name", "_target_", "_partial_", "max_lr", "root")
                if is_value and not trivial and "#" not in s and path.stem not in ("show_tell",):
                    missing.append(f"{path.name}: {s}")
    assert not missing, missing


def test_data_config_used_with_the_wrong_task_is_one_clear_line(tmp_path):
    cfg = compose_train(tmp_path)
    cfg.data.task = "translation"
    with pytest.raises(UserError) as err:
        check_consistency(cfg)
    msg = str(err.value)
    assert "\n" not in msg and "data=shapes is for task=translation" in msg and "data=" in msg


def test_missing_data_root_is_one_clear_line(tmp_path):
    cfg = compose_train(tmp_path, ["data=flickr8k"])
    with pytest.raises(UserError, match=r"data=flickr8k needs data.root: add data.root="):
        check_consistency(cfg)


def test_slurm_launcher_and_experiment_compose(tmp_path):
    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        cfg = compose("train", overrides=["hydra/launcher=slurm", "trainer=multinode", f"run_dir={tmp_path}"],
                      return_hydra_config=True)
    assert cfg.hydra.launcher._target_.endswith("SlurmLauncher")
    assert cfg.hydra.launcher.tasks_per_node == cfg.trainer.devices == cfg.hydra.launcher.gpus_per_node > 0
    cfg = compose_train(tmp_path, ["experiment=flickr8k_sat", "data.root=/x"])
    assert cfg.model.encoder.arch == "resnet50" and cfg.data.name == "flickr8k"


@pytest.mark.parametrize("search", choices("hparams_search"))
def test_every_optuna_search_composes_and_searches_real_keys(search, tmp_path):
    with initialize_config_dir(str(CONF_DIR), version_base="1.3"):
        cfg = compose("train", overrides=[f"hparams_search={search}", f"run_dir={tmp_path}"], return_hydra_config=True)
    task = search.removesuffix("_optuna")
    assert cfg.task.name == task and cfg.hydra.sweeper.study_name == task
    assert cfg.hydra.sweeper.direction == {"max": "maximize", "min": "minimize"}[cfg.task.mode]
    for key in cfg.hydra.sweeper.params:  # a misspelt key would only fail at the first trial
        assert OmegaConf.select(cfg, key, throw_on_missing=False) is not None, key


@pytest.mark.parametrize("task", [t for t in TASKS if t != "roommate"])  # roommate: a fixed toy, no real data
def test_every_task_sets_a_minimum_of_steps_for_small_real_data(task, tmp_path):
    cfg = compose_train(tmp_path, [f"task={task}"])
    OmegaConf.resolve(cfg)
    assert cfg.task.min_steps and int(cfg.task.min_steps) > 0


@pytest.mark.parametrize("experiment", choices("experiment"))
def test_an_experiment_that_sizes_its_epochs_keeps_them(experiment, tmp_path):
    """An experiment's own trainer.max_epochs (or budget) is its recipe: task.min_steps must not raise it."""
    text = (CONF_DIR / "experiment" / f"{experiment}.yaml").read_text()
    cfg = compose_train(tmp_path, [f"experiment={experiment}"])
    if "max_epochs:" in text and not cfg.get("budget"):
        assert cfg.task.min_steps is None, f"experiment={experiment} sets max_epochs but not task.min_steps: null"

