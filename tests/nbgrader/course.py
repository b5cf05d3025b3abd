"""Build a throw-away nbgrader course from this repository, and run nbgrader in it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from ..lessons.submissions import make_submission

ASSIGNMENT = "01_pep8"


def nbgrader_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment nbgrader needs: this Python's scripts first on PATH."""
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        **(extra or {}),
    }


def nbgrader(
    course: Path, *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run a real nbgrader command in the course folder."""
    return subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=course,
        env=nbgrader_env(env),
        check=check,
        capture_output=True,
        text=True,
    )


def make_course(root: Path, folder: Path, exchange: Path | None = None) -> Path:
    """Copy the config and exercise 01 into a new course and generate it."""
    course = folder / "course"
    course.mkdir(parents=True)
    shutil.copy(root / "nbgrader_config.py", course)
    shutil.copytree(root / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
    if exchange is not None:
        with (course / "nbgrader_config.py").open("a") as config:
            config.write(f"\nc.Exchange.root = {str(exchange)!r}\n")
            config.write("c.CourseDirectory.course_id = 'practice'\n")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--create")
    return course


def submit(root: Path, course: Path, student: str, answer: str | None) -> Path:
    """Hand in a submission for a student (released notebook, answer replaced)."""
    folder = course / "submitted" / student / ASSIGNMENT
    return make_submission(
        root,
        ASSIGNMENT,
        {"inventory": answer} if answer is not None else {},
        folder,
        grading=False,
    )


def submit_raw(course: Path, student: str, data: bytes) -> Path:
    """Hand in a notebook file with exactly these bytes."""
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    path = folder / f"{ASSIGNMENT}.ipynb"
    path.write_bytes(data)
    return path


def released_notebook(root: Path) -> dict:  # type: ignore[type-arg]
    """The released exercise notebook as JSON."""
    path = root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
