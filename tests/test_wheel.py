"""balado as a newsroom installs it: the wheel a release builds, installed with pipx from the lock
into a fresh venv far from any clone, sets up a show, builds the sample and validates it."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from _helpers_project import REPO, SAMPLE

pytestmark = pytest.mark.slow


def clean_env(**extra: str) -> dict[str, str]:
    """This environment without the clone on any path and without the test venv's Python first."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    return {**env, "PATH": "/usr/local/bin:/usr/bin:/bin", **extra}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the tracked sources (the clone stays as it is)."""
    source = tmp_path_factory.mktemp("source")
    tracked = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    for name in tracked.split():
        if name.startswith("pipeline/") or name in ("pyproject.toml", "README.md"):
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(source)],
                   check=True, capture_output=True)
    return next(out.glob("balado-*.whl"))


def test_the_wheel_holds_every_file_the_package_reads(wheel):
    tracked = subprocess.run(["git", "ls-files", "pipeline"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.split()
    inside = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in tracked if name not in inside]
    assert not missing, missing
    entry_points = next(n for n in inside if n.endswith("entry_points.txt"))
    assert "balado = pipeline.command.program:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """``pipx install`` of the wheel with the lock's versions; the folder of its ``balado``."""
    home = tmp_path_factory.mktemp("pipx")
    env = clean_env(PIPX_HOME=str(home / "home"), PIPX_BIN_DIR=str(home / "bin"), PIPX_MAN_DIR=str(home / "man"))
    done = subprocess.run([sys.executable, "-m", "pipx", "install", "--pip-args", f"-c {REPO / 'constraints.txt'}",
                           str(wheel)], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (home / "bin" / "balado").is_file()
    return home / "bin"


def test_pipx_installed_balado_sets_up_builds_and_validates_a_show_far_from_any_clone(installed, tmp_path):
    show = tmp_path / "gazette"
    show.mkdir()
    env = clean_env()
    balado = str(installed / "balado")

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([balado, *args], cwd=show, env=env, capture_output=True, text=True, timeout=600)

    made = run("init", "--title", "La Gazette", "--base-url", "https://gazette.example/podcast",
               "--owner-email", "podcast@gazette.example")
    assert made.returncode == 0, made.stderr
    assert not (show / "tasks.py").exists()
    shutil.copy(SAMPLE, show / "episodes" / SAMPLE.name)
    built = run("build-episode", "--engine", "espeak")
    assert built.returncode == 0, built.stderr
    checked = run("validate")
    assert checked.returncode == 0 and checked.stdout.strip().endswith(": valid"), checked.stdout + checked.stderr
    page = (show / "public" / "episodes" / f"{SAMPLE.stem}.html").read_text(encoding="utf-8")
    assert "Otan" in page  # the templates came from the wheel
    where = subprocess.run([str(next(installed.parent.glob("home/venvs/balado/bin/python"))), "-c",
                            "import pipeline; print(pipeline.__file__)"], cwd=show, env=env, capture_output=True, text=True)
    assert "site-packages" in where.stdout and str(REPO) not in where.stdout
    assert run("update").returncode == 0
