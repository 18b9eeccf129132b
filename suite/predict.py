"""suite-predict ckpt_path=... input=...: the checkpoint's task applied to files or text."""
import json
import sys

import hydra
from omegaconf import DictConfig

from suite.cli import guarded, run_cli
from suite.config import CONF_DIR


@hydra.main(config_path=str(CONF_DIR), config_name="predict", version_base="1.3")
def _main(cfg: DictConfig) -> None:
    from suite.engine import predict

    for result in guarded(lambda: predict(cfg)):
        if cfg.output == "json":
            print(json.dumps(result, ensure_ascii=False))
        else:
            print(result["text"])


def main() -> None:
    # `task=` names a config group in conf/ (Hydra would try to load conf/task/<name>.yaml), so the
    # optional check `suite-predict task=charlm ...` travels as the plain key task_name
    sys.argv = [f"task_name={a[5:]}" if a.startswith("task=") else a for a in sys.argv]
    run_cli(_main)


if __name__ == "__main__":
    main()
