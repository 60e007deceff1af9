"""The README's two commands stay at the top, and CI runs the second one."""
from _helpers_project import REPO


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_one():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2
    assert block[0].endswith("invoke build-episode") and block[1].endswith("invoke test")
    assert readme.index("```sh") < 600  # at the top
    ci = (REPO / ".ci" / "run").read_text()
    assert 'grep -m1 -E "invoke test$" README.md' in ci and 'eval "$test_command"' in ci


def test_both_commands_install_from_the_committed_lock():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh\n", 1)[1].split("```", 1)[0].strip().splitlines()
    for line in block:
        installs = [part for part in line.split("&&") if "pip install" in part]
        assert installs and all("-c constraints.txt" in part for part in installs), line


def test_the_lock_pins_every_dependency_within_pyprojects_ranges():
    """A dependency added to pyproject.toml without `invoke lock` would install unpinned: refused."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    from pipeline.command.maintainer import pinned

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pins = pinned((REPO / "constraints.txt").read_text(encoding="utf-8"),
                  {"python_version": "3.11", "python_full_version": "3.11.7"})
    wanted = [Requirement(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]]
    for requirement in wanted:
        if requirement.marker and not requirement.marker.evaluate({"python_version": "3.11"}):
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in constraints.txt: run invoke lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]} vs {requirement}"
    assert pins["moto"] != "5.2.6"  # its S3 authorisation regression (see pyproject.toml)
    # pip's -c does not reach the isolated build of `pip install -e .`: the build backend's own range
    # is capped, and holds the locked release.
    [backend] = [Requirement(r) for r in tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))[
        "build-system"]["requires"]]
    assert backend.name == "setuptools" and backend.specifier.contains(pins["setuptools"])
    assert any(spec.operator == "<" for spec in backend.specifier)


def test_the_lock_reader_takes_the_pin_for_the_python_it_is_asked_about():
    """A universal lock pins a package once per Python version: check-deps compares with the right one."""
    from pipeline.command.maintainer import pinned

    lock = ("networkx==3.6.1 ; python_full_version < '3.12'\n    # via cfn-lint\n"
            "networkx==3.7 ; python_full_version >= '3.12'\n    # via cfn-lint\nmoto[server]==5.2.5\n"
            "audioop-lts==0.2.2 ; python_full_version >= '3.13'\n")
    old = pinned(lock, {"python_version": "3.11", "python_full_version": "3.11.7"})
    new = pinned(lock, {"python_version": "3.13", "python_full_version": "3.13.1"})
    assert old == {"networkx": "3.6.1", "moto": "5.2.5"}
    assert new == {"networkx": "3.7", "moto": "5.2.5", "audioop-lts": "0.2.2"}


def test_the_package_carries_the_same_lock_for_the_shows_it_sets_up():
    """`balado init` gives a show the lock (its CI installs through it): `invoke lock` keeps the copy."""
    from pipeline.command.maintainer import LOCK, PACKAGED_LOCK

    assert (REPO / PACKAGED_LOCK).read_bytes() == (REPO / LOCK).read_bytes()
