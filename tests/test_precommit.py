"""Do the pre-commit hooks and CI run the same checks, with the same versions?

CI runs ``python3 tasks.py test``; a developer's commit runs the hooks of
``.pre-commit-config.yaml``. Each hook must have its step in ``tasks.py`` and
each static step in ``tasks.py`` its hook, and a hook that brings its own tool
must pin the version ``requirements/constraints.txt`` pins.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".pre-commit-config.yaml"
IGNORED_TOKENS = {"python", "python3", "-m", "--force-exclude"}
"""Parts of a hook's command that say how to call a tool, not what it checks."""


def hooks() -> list[dict[str, Any]]:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return [hook for repo in config["repos"] for hook in repo["hooks"]]


def hook_command(hook: dict[str, Any]) -> list[str]:
    tokens = [*hook["entry"].split(), *hook.get("args", [])]
    return [token for token in tokens if token not in IGNORED_TOKENS]


def ci_steps() -> list[list[str]]:
    """The commands ``tasks.py test`` runs, as their literal arguments."""
    tree = ast.parse((ROOT / "tasks.py").read_text(encoding="utf-8"))
    test = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "test"
    )
    steps = []
    for node in ast.walk(test):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "_run"
        ):
            steps.append(
                [
                    arg.value
                    for arg in node.args
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                ]
            )
    return steps


def pins() -> dict[str, str]:
    text = (ROOT / "requirements" / "constraints.txt").read_text(encoding="utf-8")
    found = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)$", text, flags=re.MULTILINE)
    return {name.lower().replace("_", "-"): version for name, version in found}


def test_the_configuration_is_valid() -> None:
    """Does pre-commit itself accept the configuration?"""
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(CONFIG)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "hook_id",
    ["ruff-format", "ruff-check", "nbstripout", "course-build-check", "mypy"],
)
def test_each_hook_has_its_step_in_ci(hook_id: str) -> None:
    """Is every hook's check one that ``tasks.py test`` runs too?"""
    hook = next(hook for hook in hooks() if hook["id"] == hook_id)
    command = hook_command(hook)
    matching = [step for step in ci_steps() if set(command) <= set(step)]
    assert matching, f"{hook_id}: {command} is not among {ci_steps()}"


def test_each_static_ci_step_has_its_hook() -> None:
    """Does every check CI runs before the tests also run on commit?"""
    commands = [set(hook_command(hook)) for hook in hooks()]
    static = [step for step in ci_steps() if "pytest" not in step]
    assert len(static) >= 5
    for step in static:
        assert any(command <= set(step) for command in commands), step


def test_hook_tools_are_pinned_as_in_the_constraints() -> None:
    """Does each hook that installs its tool install the constrained version?"""
    pinned = pins()
    checked = 0
    for hook in hooks():
        for requirement in hook.get("additional_dependencies", []):
            name, _, version = requirement.partition("==")
            assert version, f"{hook['id']}: {requirement} is not pinned"
            assert pinned[name.lower()] == version, (hook["id"], requirement)
            checked += 1
    assert checked >= 3


def test_nbstripout_covers_exactly_the_generated_and_source_notebooks() -> None:
    """Does the nbstripout hook see exercises/ and solutions/, but not lessons/?"""
    hook = next(hook for hook in hooks() if hook["id"] == "nbstripout")
    pattern = re.compile(hook["files"])
    for folder in ("exercises", "solutions"):
        notebooks = sorted(ROOT.glob(f"{folder}/*/*.ipynb"))
        assert notebooks
        for notebook in notebooks:
            assert pattern.search(notebook.relative_to(ROOT).as_posix())
    for lesson in sorted(ROOT.glob("lessons/*.ipynb")):
        assert not pattern.search(lesson.relative_to(ROOT).as_posix())
