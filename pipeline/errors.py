"""Errors the user can act on: printed as one line, no traceback, exit status 1."""


class UserError(Exception):
    """A problem with the user's input or settings; its message names the file and the problem."""


class SynthesisError(UserError):
    """The speech engine could not speak the episode (after retries)."""
