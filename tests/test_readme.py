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
