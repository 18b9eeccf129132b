"""Errors a user can cause, reported as one clear line instead of a traceback."""


class UserError(Exception):
    """A problem the user can fix (bad override, missing data, unreadable file).

    The message is one line naming the problem and the fix; the CLI prints it without a
    traceback and exits with code 2 (`debug=true` shows the traceback).
    """

    exit_code = 2
