"""Errors the command line reports as one line with exit status 2."""


class UserError(Exception):
    """Something the user can fix: a wrong argument, a missing setting, an unknown name."""
