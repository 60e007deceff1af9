"""The maintainer's tasks on a clone: refresh the lock, and try the newest releases on purpose.

``constraints.txt`` pins every dependency, runtime and test, so the README's installs and CI are
the same today and next month. ``invoke check-deps`` installs the newest releases that
``pyproject.toml`` allows into a throwaway venv and runs the suite there: a breaking release is
found by us, then pinned out or fixed, before it reaches a newsroom installing into its own env.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LOCK = "constraints.txt"
LOCK_COMMAND = "invoke lock"
# The same lock inside the package: `balado init` gives it to a show, whose CI installs through it.
PACKAGED_LOCK = "pipeline/command/templates/constraints.txt"


def lock(clone: Path, *, upgrade: bool = False) -> None:
    """Resolve pyproject.toml's dependencies (with the test extra) for Python 3.11 and newer, on
    every platform, into ``constraints.txt``: the pins already there are kept unless ``upgrade``."""
    subprocess.run([sys.executable, "-m", "uv", "pip", "compile", "pyproject.toml", "--extra", "test",
                    "--universal", "--python-version", "3.11", "--custom-compile-command", LOCK_COMMAND,
                    "--quiet", *(["--upgrade"] if upgrade else []), "--output-file", LOCK], cwd=clone, check=True)
    shutil.copyfile(clone / LOCK, clone / PACKAGED_LOCK)


def pinned(text: str, environment: dict[str, str] | None = None) -> dict[str, str]:
    """``name → version`` of every ``name==version`` line of a lock or of ``pip freeze`` that applies
    to ``environment`` (default: this interpreter): a universal lock pins some packages once per
    Python version (``networkx==3.6.1 ; python_full_version < '3.12'``)."""
    from packaging.markers import Marker
    from packaging.utils import canonicalize_name

    pins = {}
    for line in text.splitlines():
        requirement, _, marker = line.split("#")[0].partition(";")
        requirement = requirement.strip()
        if "==" not in requirement or requirement.startswith("-"):
            continue
        if marker.strip() and not Marker(marker.strip()).evaluate(environment):
            continue
        name, version = requirement.split("==", 1)
        pins[canonicalize_name(name.split("[")[0])] = version.strip()
    return pins


def newer_than_locked(clone: Path, frozen: str) -> list[str]:
    """What the newest allowed releases change against the lock, one line each."""
    locked = pinned((clone / LOCK).read_text(encoding="utf-8"))
    return [f"{name} {locked[name]} → {version}" for name, version in sorted(pinned(frozen).items())
            if name in locked and locked[name] != version]


def check_deps(clone: Path) -> int:
    """Install the newest allowed releases into a temporary venv, run the suite there; its exit status."""
    with tempfile.TemporaryDirectory(prefix="balado-newest-") as scratch:
        venv = Path(scratch) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = str(venv / "bin" / "python")
        subprocess.run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
        subprocess.run([python, "-m", "pip", "install", "-q", "--upgrade", "-e", f"{clone}[test]"], check=True)
        frozen = subprocess.run([python, "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout
        changes = newer_than_locked(clone, frozen)
        print("newest allowed releases against constraints.txt: " + ("; ".join(changes) or "none newer"))
        if not (clone / "tests" / "tools" / "node_modules").is_dir():  # the suite's linters (README's test command)
            subprocess.run(["npm", "ci", "--prefix", str(clone / "tests" / "tools")], check=True)
        return subprocess.run([python, "-m", "pytest", "-n", "2", "-q"], cwd=clone).returncode
