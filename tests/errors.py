"""The user-facing error contract in tests: one line, naming the problem and the fix."""
from __future__ import annotations

import pytest

from suite.errors import UserError


def user_error(fn, *args, **kw) -> str:
    """Call fn, expect a UserError of one line (`problem: fix`), return its text."""
    with pytest.raises(UserError) as err:
        fn(*args, **kw)
    msg = str(err.value)
    assert "\n" not in msg and ": " in msg, msg
    return msg
