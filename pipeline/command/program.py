"""The installed ``balado`` command: Invoke's own ``Program`` over the package's task collection,
so ``--help``, ``--list``, ``TASK --help`` and ``--version`` behave as they do for ``invoke``.

It adds one core option, ``--show PATH`` (as ``git -C``): the show to work on, passed to the tasks
as ``BALADO_SHOW``. Only Invoke and the task collection are imported here: ``balado --help`` and
``balado --list`` load none of the audio, HTTP, HTML or S3 libraries.
"""
from __future__ import annotations

import os

from invoke import Argument, Program

from pipeline.command import tasks, version
from pipeline.command.show import SHOW_VARIABLE
from pipeline.errors import COMMAND_VARIABLE


class Balado(Program):
    def core_args(self):
        return [*super().core_args(),
                Argument(names=("show",), help=f"the show's folder (default: {SHOW_VARIABLE}, else the nearest "
                                               "folder upwards with a podcast.toml)")]

    def execute(self):
        os.environ[COMMAND_VARIABLE] = "balado"  # advice in messages names the command typed
        show = self.args.show.value
        if show:
            os.environ[SHOW_VARIABLE] = show
        super().execute()


program = Balado(name="balado", binary="balado", namespace=tasks.ns, version=version())


def main() -> None:
    program.run()
