"""Generate ``exercises/`` from ``solutions/`` with nbgrader, or check it is current.

Generation always happens in a scratch course folder (its own gradebook, its
own copies), so building never leaves a ``gradebook.db`` in the repository;
the result is then compared with, or copied over, ``exercises/``.
"""

from __future__ import annotations

import filecmp
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autograder._errors import BuildError
from autograder.build._consistency import check_consistency
from autograder.spec import SPEC_FILE, load_spec

logger = logging.getLogger(__name__)

SOURCE_DIR = "solutions"
RELEASE_DIR = "exercises"


@dataclass(frozen=True)
class BuildResult:
    """What building one assignment found.

    Attributes:
        assignment: The assignment (folder) name.
        problems: Declaration/notebook disagreements and stale files.
    """

    assignment: str
    problems: tuple[str, ...]


def assignments(root: Path) -> list[str]:
    """List the assignments in ``solutions/``: folders with a declaration.

    Args:
        root: The course repository.

    Returns:
        Assignment names, sorted.
    """
    source = root / SOURCE_DIR
    return sorted(p.parent.name for p in source.glob(f"*/{SPEC_FILE}"))


IGNORED = (
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    ".ruff_cache",
    ".mypy_cache",
    ".pytest_cache",
)
"""Files nbgrader must not copy into a release (caches a run leaves behind)."""


def _generate(root: Path, assignment: str, scratch: Path) -> Path:
    shutil.copytree(
        root / SOURCE_DIR / assignment,
        scratch / SOURCE_DIR / assignment,
        ignore=shutil.ignore_patterns(*IGNORED),
    )
    bin_dir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` from PATH
    env = {**os.environ, "PATH": os.pathsep.join([bin_dir, os.environ.get("PATH", "")])}
    command = [
        sys.executable,
        "-m",
        "nbgrader",
        "generate_assignment",
        assignment,
        "--force",
        "--create",
        f"--CourseDirectory.root={scratch}",
        f"--CourseDirectory.source_directory={SOURCE_DIR}",
        f"--CourseDirectory.release_directory={RELEASE_DIR}",
        f"--CourseDirectory.db_url=sqlite:///{scratch / 'gradebook.db'}",
        f"--Exchange.root={scratch / 'exchange'}",
        "--log-level=WARN",
    ]
    completed = subprocess.run(
        command, cwd=scratch, env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        lines = (completed.stderr or completed.stdout).strip().splitlines()
        raise BuildError(assignment, lines[-1] if lines else "nbgrader failed")
    return scratch / RELEASE_DIR / assignment


def _differences(built: Path, committed: Path) -> list[str]:
    if not committed.is_dir():
        return [f"{committed} does not exist"]
    comparison = filecmp.dircmp(built, committed, ignore=["__pycache__"])
    problems = []
    stack = [comparison]
    while stack:
        current = stack.pop()
        problems += [f"{current.right}/{name} is missing" for name in current.left_only]
        problems += [
            f"{current.right}/{name} is not generated" for name in current.right_only
        ]
        problems += [f"{current.right}/{name} differs" for name in current.diff_files]
        stack.extend(current.subdirs.values())
    return problems


def build(
    root: Path, *, check: bool = False, only: Sequence[str] = ()
) -> list[BuildResult]:
    """Regenerate every exercise, or (``check``) compare with the committed ones.

    Args:
        root: The course repository.
        check: Compare only; change nothing.
        only: Build just these assignments (all when empty).

    Returns:
        One result per assignment; a build is clean when none has problems.

    Raises:
        BuildError: nbgrader could not generate an assignment, or an assignment
            named in ``only`` does not exist.
    """
    known = assignments(root)
    unknown = sorted(set(only) - set(known))
    if unknown:
        raise BuildError(", ".join(unknown), f"not in {SOURCE_DIR}/; known: {known}")
    results = []
    for assignment in [name for name in known if not only or name in only]:
        spec = load_spec(root / SOURCE_DIR / assignment / SPEC_FILE)
        problems = check_consistency(spec, spec.notebook_path)
        with tempfile.TemporaryDirectory(prefix="course-build-") as tmp:
            built = _generate(root, assignment, Path(tmp))
            target = root / RELEASE_DIR / assignment
            if check:
                problems += _differences(built, target)
            else:
                shutil.rmtree(target, ignore_errors=True)
                shutil.copytree(built, target)
                logger.info("generated %s", target)
        results.append(BuildResult(assignment, tuple(problems)))
    return results
