"""suite-predict ckpt_path=... input=...: the checkpoint's task applied to files or text."""
import json
import sys

import hydra
from omegaconf import DictConfig

from suite.cli import guarded, run_cli
from suite.config import CONF_DIR, check_checkpoint_given, predict_keys


@hydra.main(config_path=str(CONF_DIR), config_name="predict", version_base="1.3")
def _main(cfg: DictConfig) -> None:
    guarded(lambda: check_checkpoint_given(cfg))  # a missing file: one line before torch and Lightning load
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
    # a task's own options (conf/task/<task>.yaml, task.predict) are not in predict.yaml: they come in
    # as new keys, and the engine checks them against the checkpoint's task
    common = predict_keys()
    sys.argv = [sys.argv[0], *(f"+{a}" if _is_task_option(a, common) else a for a in sys.argv[1:])]
    run_cli(_main)


def _is_task_option(arg: str, common: set[str]) -> bool:
    key = arg.split("=", 1)[0]
    return "=" in arg and not key.startswith(("+", "~", "hydra")) and key.split(".")[0] not in common


if __name__ == "__main__":
    main()
