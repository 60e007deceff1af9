"""Errors the user can act on: printed as one line, no traceback, exit status 1."""
import os

COMMAND_VARIABLE = "BALADO_COMMAND"  # set by the installed `balado` command for the tasks it runs


def command(task: str) -> str:
    """``balado TASK`` or ``invoke TASK``: what the user typed to get here, to name in advice."""
    return f"{os.environ.get(COMMAND_VARIABLE, 'invoke')} {task}"


class UserError(Exception):
    """A problem with the user's input or settings; its message names the file and the problem."""


class SynthesisError(UserError):
    """The speech engine could not speak the episode (after retries)."""
