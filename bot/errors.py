"""Errors the command line reports as one line with exit status 2."""


class UserError(Exception):
    """Something the user can fix: a wrong argument, a missing setting, an unknown name."""


class ApiUnreachable(Exception):
    """The Bot API server cannot be reached: the command could not do its work (exit 1)."""
