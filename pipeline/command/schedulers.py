"""The three schedulers a newsroom runs ``balado update`` from, written by ``balado init`` into the
show, commented and ready to enable: a crontab line, a systemd service with its timer, and a GitHub
Actions workflow. Each names this installation's ``balado`` by its absolute path (cron and systemd
have no PATH of the user's) and the show by its folder."""
from __future__ import annotations

import shlex
import sys
from importlib import resources
from pathlib import Path

from pipeline.command import version
from pipeline.fsutil import atomic_write_text

# where each template lands in the show
FILES = {
    "crontab": "schedule/crontab",
    "balado-update.service": "schedule/balado-update.service",
    "balado-update.timer": "schedule/balado-update.timer",
    "balado-update.yml": ".github/workflows/balado-update.yml",
    "constraints.txt": "balado-constraints.txt",  # the lock balado was tested with: the workflow installs through it
}


def balado_command() -> str:
    """How a scheduler starts this installation's ``balado``, as an absolute command."""
    called = Path(sys.argv[0])
    if called.name == "balado" and called.is_file():
        return shlex.quote(str(called.resolve()))
    beside = Path(sys.executable).with_name("balado")  # the script pip or pipx put next to Python
    if beside.is_file():
        return shlex.quote(str(beside))
    return f"{shlex.quote(sys.executable)} -m pipeline.command"


def render(template: str, show: Path) -> str:
    text = resources.files("pipeline.command").joinpath("templates", template).read_text(encoding="utf-8")
    return (text.replace("@BALADO@", balado_command()).replace("@SHOW@", shlex.quote(str(show)))
            .replace("@SPEC@", f"balado=={version()}"))


def write_schedulers(show: Path) -> list[Path]:
    """Write each scheduler file the show does not have yet; return those written."""
    show = show.resolve()
    written = []
    for template, relative in FILES.items():
        path = show / relative
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, render(template, show))
        written.append(path)
    return written
