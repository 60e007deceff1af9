"""The package's shape: stages that do not reach into each other, short functions, one home per
convention, and a no-op build that does not pay for the audio or network stack."""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from _helpers_project import REPO, SHORT_ARTICLE

PACKAGE = REPO / "pipeline"
MODULES = sorted(PACKAGE.rglob("*.py"))
MAX_FUNCTION_LINES = 50
MAX_POSITIONAL = 5


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions included)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def stage_modules(stage: str) -> list[Path]:
    return sorted((PACKAGE / stage).glob("*.py"))


@pytest.mark.parametrize("path", stage_modules("text"), ids=lambda p: p.name)
def test_text_stage_imports_neither_sound_nor_publish(path):
    bad = {m for m in imported_modules(path) if m.startswith(("pipeline.sound", "pipeline.publish"))}
    assert not bad, f"{path.name} imports {sorted(bad)}"


ENGINE_MODULES = ("pipeline.sound.engines", "pipeline.sound.synthesis", "pipeline.sound.cache", "gtts",
                  "espeakng_loader")


@pytest.mark.parametrize("path", stage_modules("publish"), ids=lambda p: p.name)
def test_publish_stage_never_imports_the_speech_engines(path):
    bad = {m for m in imported_modules(path) if m.startswith(ENGINE_MODULES)}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_the_rule_checker_sees_lazy_imports(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from pipeline.sound.engines import make_engine\n")
    assert "pipeline.sound.engines" in imported_modules(probe)


def functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def is_task(node) -> bool:
    """Decorated with Invoke's ``@task`` (bare or called)."""
    names = {getattr(d.func if isinstance(d, ast.Call) else d, "id", None) for d in node.decorator_list}
    return "task" in names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_functions_are_short_and_take_few_positional_parameters(path):
    problems = []
    for node in functions(path):
        lines = node.end_lineno - node.lineno + 1
        positional = [a for a in node.args.posonlyargs + node.args.args if a.arg not in ("self", "cls")]
        if is_task(node):
            positional = []  # an Invoke task's parameters are its command-line flags, named by the user
        if lines > MAX_FUNCTION_LINES:
            problems.append(f"{node.name}: {lines} lines")
        if len(positional) > MAX_POSITIONAL:
            problems.append(f"{node.name}: {len(positional)} positional parameters")
    assert not problems, problems


@pytest.mark.parametrize("literal", ['"feed.xml"', 'chapters.json"', "-16.0", '"index.html"', '"audio/mpeg"',
                                     '"archive"'])
def test_each_convention_is_spelled_in_one_module(literal):
    homes = [p.relative_to(PACKAGE).as_posix() for p in MODULES if literal in p.read_text(encoding="utf-8")]
    assert len(homes) == 1, f"{literal} appears in {homes}"


def test_a_noop_build_does_not_import_the_audio_or_network_stack(tmp_path):
    (tmp_path / "episodes").mkdir()
    (tmp_path / "podcast.toml").write_text((REPO / "podcast.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "episodes" / "bref.txt").write_text(SHORT_ARTICLE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    first = subprocess.run([sys.executable, "-m", "invoke", "--search-root", str(REPO), "build-episode",
                            "--engine", "espeak"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    probe = ("import sys, json\n"
             "from pipeline import cli\n"
             "cli.build_episode(root=sys.argv[1])\n"
             "print(json.dumps(sorted(sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", probe, str(tmp_path)], cwd=tmp_path, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert "nothing changed" in lines[-2]
    loaded = set(__import__("json").loads(lines[-1]))
    heavy = {"pydub", "requests", "urllib3", "gtts", "espeakng_loader", "mutagen", "feedgen", "PIL", "jinja2",
             "trafilatura", "lxml"}
    assert not heavy & loaded, sorted(heavy & loaded)
    assert not {m for m in loaded if m.startswith(("pipeline.sound", "pipeline.publish"))}
