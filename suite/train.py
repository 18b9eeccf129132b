"""suite-train: compose the config with Hydra and call suite.engine.train."""
import hydra
from omegaconf import DictConfig

from suite.cli import guarded, run_cli
from suite.config import CONF_DIR


@hydra.main(config_path=str(CONF_DIR), config_name="train", version_base="1.3")
def _main(cfg: DictConfig) -> float | None:
    from suite.config import check_consistency

    guarded(lambda: check_consistency(cfg))  # a wrong key, type or data/model pair: one line in a second or two,
    from suite.engine import train  # before torch and Lightning load (imported late so this stays fast)

    metrics = guarded(lambda: train(cfg))
    return metrics.get(cfg.task.monitor)  # what Hydra sweepers optimise


def main() -> None:
    run_cli(_main)


if __name__ == "__main__":
    main()
