"""Which show a task works on, found as git finds its repository.

``--show PATH`` (``balado``'s own option) or ``BALADO_SHOW`` names it; otherwise the current folder
and each folder above it are tried until one holds ``podcast.toml``. Outside any show the tasks say
so in one line (``load_config`` refuses a folder without ``podcast.toml``).
"""
from __future__ import annotations

import os
from pathlib import Path

from pipeline.errors import UserError

SETTINGS = "podcast.toml"
SHOW_VARIABLE = "BALADO_SHOW"


def named_show() -> Path | None:
    """The folder ``--show`` or ``BALADO_SHOW`` names, if any (it must exist)."""
    named = os.environ.get(SHOW_VARIABLE, "").strip()
    if not named:
        return None
    path = Path(named).expanduser().resolve()
    if not path.is_dir():
        raise UserError(f"{named}: no such folder (from --show or {SHOW_VARIABLE})")
    return path


def find_show(start: Path | None = None) -> Path:
    """The show's folder: the one named, else the nearest folder from ``start`` upwards with a
    ``podcast.toml``; with none, ``start`` itself (so the task's own check says there is no show)."""
    named = named_show()
    if named is not None:
        if not (named / SETTINGS).is_file():
            raise UserError(f"{named}: no {SETTINGS} there; run `balado init` in it to set up a show")
        return named
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / SETTINGS).is_file():
            return folder
    raise UserError(f"{start}: not in a show (no {SETTINGS} here or in any folder above); "
                    "run `balado init` to set one up, or give --show PATH")


def new_show_folder() -> Path:
    """Where ``init`` sets a show up: the folder named, else the current one."""
    return named_show() or Path.cwd()
