"""Running an engine function from the command line: user errors end in one clear line.

Hydra's own error printing is turned off (HYDRA_FULL_ERROR=1) so that composition errors reach
us as exceptions; `debug=true` on the command line shows full tracebacks instead.
"""
from __future__ import annotations

import os
import sys
from typing import Callable

from suite.errors import UserError



def _hydra_message(exc: BaseException) -> str | None:
    """One line for Hydra/OmegaConf composition errors (bad override, unknown option)."""
    from hydra.errors import HydraException, MissingConfigException
    from omegaconf.errors import OmegaConfBaseException

    if isinstance(exc, MissingConfigException):
        lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
        head = lines[0].removeprefix("In 'train': ").removeprefix("In 'eval': ").removeprefix("In 'predict': ")
        options = getattr(exc, "options", None) or []
        group = (getattr(exc, "missing_cfg_file", "") or "").rsplit("/", 1)[0]
        return f"{head}: use one of {group}={','.join(options)}" if options else head
    if isinstance(exc, (HydraException, OmegaConfBaseException)):
        parts = [str(exc)] + ([str(exc.__cause__)] if exc.__cause__ else [])
        text = " ".join(" ".join(p.split()) for p in parts)
        return text.split("full_key:")[0].strip().rstrip(".") if text else type(exc).__name__
    return None


def _user_message(exc: BaseException) -> str | None:
    """The one line to print, or None when the exception is a bug (print the traceback)."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, UserError):
            lines = [ln for ln in str(exc).splitlines() if ln.strip()]
            # DataLoader workers re-raise with the worker traceback folded into the message
            return lines[-1].split(": ", 1)[-1] if len(lines) > 1 else (lines[0] if lines else type(exc).__name__)
        msg = _hydra_message(exc)
        if msg:
            return msg
        exc = exc.__cause__ or exc.__context__
    return None


def guarded(fn: Callable[[], object]):
    """Call fn; a user error becomes `error: <one line>` on stderr and exit code 2.

    Used around Hydra's composition (bad overrides) and inside the job (bad data, bad files):
    inside, so Hydra does not print its own "Error executing job" line first.
    """
    show_traceback = "debug=true" in sys.argv[1:]
    try:
        return fn()
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as exc:  # noqa: BLE001 - the one place that turns errors into exit codes
        message = _user_message(exc)
        if message is None or show_traceback:
            raise
        print(f"error: {message}", file=sys.stderr)
        sys.exit(UserError.exit_code)


def run_cli(hydra_main: Callable[[], object]) -> None:
    os.environ.setdefault("HYDRA_FULL_ERROR", "1")  # composition errors come to us as exceptions
    guarded(hydra_main)
