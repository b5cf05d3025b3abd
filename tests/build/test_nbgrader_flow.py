"""Does stock nbgrader, with the shipped config, grade as `course check` does?

Real nbgrader commands in a temporary course: generate_assignment, autograde
of three students' submissions, generate_feedback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder import grade_notebook
from autograder.runner import WorkerClient

from ..lessons.submissions import make_submission

ASSIGNMENT = "01_pep8"


def nbgrader(course: Path, *args: str) -> None:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"],
        cwd=course,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


@pytest.mark.slow
def test_autograde_and_feedback_match_the_engine(
    root: Path, tmp_path: Path, worker: WorkerClient
) -> None:
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(root / "nbgrader_config.py", course)
    shutil.copytree(root / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
    with (course / "nbgrader_config.py").open("a") as config:
        config.write(f"\nc.Exchange.root = {str(tmp_path / 'exchange')!r}\n")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--create")

    fixtures = root / "tests" / "fixtures" / ASSIGNMENT
    students = {
        "ada": (fixtures / "alt_annotated.py").read_text(),
        "bo": (fixtures / "style_left.py").read_text(),
        "cy": None,  # hands in the untouched exercise
    }
    for student, answer in students.items():
        folder = course / "submitted" / student / ASSIGNMENT
        make_submission(
            root,
            ASSIGNMENT,
            {"inventory": answer} if answer else {},
            folder,
            grading=False,
        )
    nbgrader(course, "autograde", ASSIGNMENT, "--create")
    nbgrader(course, "generate_feedback", ASSIGNMENT)

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in students:
            graded = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
            notebook = (
                course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
            )
            ours = grade_notebook(
                notebook, spec=_source_spec(course), runner=worker.run
            )
            assert graded.score == pytest.approx(ours.score), student
    assert [round(s) for s in _scores(course, students)] == [10, 9, 0]

    feedback = (
        course / "feedback" / "cy" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    ).read_text()
    assert "course-feedback" in feedback
    assert "stock of 3 March" not in feedback  # a hidden test's text
    assert "BEGIN HIDDEN TESTS" not in feedback


def _source_spec(course: Path):  # type: ignore[no-untyped-def]
    from autograder import load_exercise

    return load_exercise(course / "solutions" / ASSIGNMENT)


def _scores(course: Path, students: dict[str, str | None]) -> list[float]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return [
            gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, s).score
            for s in students
        ]
