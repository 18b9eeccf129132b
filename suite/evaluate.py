"""suite-eval ckpt_path=...: metrics of a checkpoint on its test (or val) split."""
import json

import hydra
from omegaconf import DictConfig

from suite.cli import guarded, run_cli
from suite.config import CONF_DIR, check_checkpoint_given


@hydra.main(config_path=str(CONF_DIR), config_name="eval", version_base="1.3")
def _main(cfg: DictConfig) -> None:
    guarded(lambda: check_checkpoint_given(cfg))  # a missing file: one line before torch and Lightning load
    from suite.engine import evaluate

    print(json.dumps(guarded(lambda: evaluate(cfg)), indent=2, sort_keys=True))


def main() -> None:
    run_cli(_main)


if __name__ == "__main__":
    main()
