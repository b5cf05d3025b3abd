"""Does environment.yml pin every runtime dependency, at the version pip installs?

Binder builds from environment.yml (conda) while tasks.py installs with pip
and requirements/constraints.txt; a dependency missing from one of them, or
pinned differently, breaks one route and not the other.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

CONDA_NAMES = {"matplotlib": "matplotlib-base"}
"""conda-forge packages whose names differ from the distribution's."""


def _conda_pins(root: Path) -> dict[str, str]:
    text = (root / "environment.yml").read_text(encoding="utf-8")
    return dict(
        re.findall(r"^\s+- ([A-Za-z0-9_.-]+)=([^\s=]+)\s*$", text, re.MULTILINE)
    )


def _constraints(root: Path) -> dict[str, str]:
    text = (root / "requirements" / "constraints.txt").read_text(encoding="utf-8")
    return {
        name.lower(): version
        for name, version in re.findall(
            r"^([A-Za-z0-9_.-]+)==(\S+)$", text, re.MULTILINE
        )
    }


def test_every_runtime_dependency_is_pinned_alike_for_conda_and_pip(root: Path) -> None:
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    conda = _conda_pins(root)
    pip = _constraints(root)
    problems = []
    for line in project["project"]["dependencies"]:
        name = Requirement(line).name.lower()
        conda_name = CONDA_NAMES.get(name, name)
        if conda.get(conda_name) is None:
            problems.append(f"{conda_name} is not pinned in environment.yml")
        elif conda[conda_name] != pip.get(name):
            problems.append(
                f"{name}: environment.yml has {conda[conda_name]}, "
                f"constraints.txt has {pip.get(name)}"
            )
    assert problems == []
