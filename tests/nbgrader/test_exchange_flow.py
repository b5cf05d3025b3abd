"""Does the whole nbgrader exchange flow work with out-of-kernel grading?

Three students and a temporary exchange, all real nbgrader commands:
generate, release, fetch, submit, collect, autograde, generate_feedback,
release_feedback, fetch_feedback. The stock ``nbgrader autograde`` uses the
shipped configuration, so it grades in the sandbox without a kernel.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from .course import ASSIGNMENT, make_course, nbgrader, nbgrader_env

AS_STUDENT = Path(__file__).resolve().parent / "as_student.py"
COURSE_ID = "practice"


def as_student(
    home: Path, student: str, *args: str
) -> subprocess.CompletedProcess[str]:
    """Run nbgrader as a student with a home of their own.

    On JupyterHub each student is a user with a home, and nbgrader keeps a
    cache of the student's submissions there (``nbgrader_cache`` in the
    Jupyter data folder); ``fetch_feedback`` fetches feedback for every
    submission in that cache. One shared home would give every student
    everyone's feedback.
    """
    return subprocess.run(
        [
            sys.executable,
            str(AS_STUDENT),
            student,
            *args,
            f"--Exchange.root={home.parent.parent / 'exchange'}",
        ],
        cwd=home,
        env=nbgrader_env(
            {"HOME": str(home), "JUPYTER_DATA_DIR": str(home / ".jupyter-data")}
        ),
        check=True,
        capture_output=True,
        text=True,
    )


def answer(notebook: Path, text: str | None) -> None:
    data = json.loads(notebook.read_text(encoding="utf-8"))
    if text is not None:
        for cell in data["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade_id") == "inventory":
                cell["source"] = text
        # What a learner's kernel might have left behind: a fake score.
        for cell in data["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade"):
                cell["outputs"] = [
                    {
                        "output_type": "execute_result",
                        "execution_count": 1,
                        "metadata": {},
                        "data": {"text/plain": "3"},
                    }
                ]
    notebook.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.slow
def test_generate_to_fetch_feedback(root: Path, tmp_path: Path) -> None:
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    course = make_course(root, tmp_path, exchange)
    nbgrader(course, "release_assignment", ASSIGNMENT)
    fixtures = root / "tests" / "fixtures" / ASSIGNMENT
    students = {
        "ada": (fixtures / "alt_annotated.py").read_text(),
        "bo": (fixtures / "behaviour_broken.py").read_text(),
        "cy": None,  # hands in the untouched exercise
    }
    for student, text in students.items():
        home = tmp_path / "homes" / student
        home.mkdir(parents=True)
        as_student(
            home, student, "fetch_assignment", ASSIGNMENT, f"--course={COURSE_ID}"
        )
        answer(home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", text)
        as_student(home, student, "submit", ASSIGNMENT, f"--course={COURSE_ID}")
    nbgrader(course, "collect", ASSIGNMENT)
    autograde = nbgrader(course, "autograde", ASSIGNMENT, "--log-level=INFO")
    assert "outside the kernel, sandbox:" in autograde.stderr
    nbgrader(course, "generate_feedback", ASSIGNMENT)
    nbgrader(course, "release_feedback", ASSIGNMENT)

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {
            s: gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, s).score
            for s in students
        }
    # Fake "3" outputs in the submissions count for nothing: bo's broken
    # behaviour earns 2.4, cy's untouched notebook 0.
    assert scores == pytest.approx({"ada": 10, "bo": 9.4, "cy": 0})

    pages = {}
    for student in students:
        home = tmp_path / "homes" / student
        as_student(home, student, "fetch_feedback", ASSIGNMENT, f"--course={COURSE_ID}")
        # One submission each, so exactly one feedback page, in a folder named
        # by that submission's timestamp.
        feedback = list((home / ASSIGNMENT / "feedback").rglob("*.html"))
        assert [path.name for path in feedback] == [f"{ASSIGNMENT}.html"], feedback
        pages[student] = feedback[0].read_text(encoding="utf-8")
    for student, page in pages.items():
        assert "course-feedback" in page, student
        assert "stock of 3 March" not in page
        assert "BEGIN HIDDEN TESTS" not in page
    assert "test_total_value_rounds_to_cents" in pages["bo"]
    assert "test_total_value_rounds_to_cents" not in pages["ada"]
