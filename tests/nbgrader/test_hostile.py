"""Can a hostile submission change its grade, the course, or anyone else's?

Each file in tests/fixtures/hostile/ attacks grading from inside the answer
cell. A class of them (and one honest student) is graded with `course grade`
— stock nbgrader's Autograde storing the sandboxed verdicts — once with
bubblewrap and once with the rlimit fallback. Every attack must score 0 on
the cell it attacked, say why in the feedback, stay within the limits, and
leave the course, the gradebook and the other student untouched.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from .course import ASSIGNMENT, make_course, nbgrader_env, submit
from .sandbox_required import require_bwrap

HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
EXPECTED = tomllib.loads((HOSTILE / "expected.toml").read_text(encoding="utf-8"))
LIMITS = {
    "COURSE_CHECK_TIMEOUT": "6",
    "COURSE_CPU_LIMIT": "6",
    "COURSE_MEMORY_LIMIT_MB": "1024",
}


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _grade_html(course: Path, student: str, cell: str) -> str:
    notebook = course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    data = json.loads(notebook.read_text(encoding="utf-8"))
    for item in data["cells"]:
        if item["metadata"].get("nbgrader", {}).get("grade_id") == cell:
            return "".join(
                "".join(output["data"]["text/html"]) for output in item["outputs"]
            )
    raise AssertionError(f"no cell {cell}")


@pytest.fixture(scope="module", params=["bwrap", "rlimits"])
def graded(
    request: pytest.FixtureRequest, root: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, str], dict[str, str], float, str]:
    """A class of hostile students and one honest one, graded with `course grade`."""
    if request.param == "bwrap":
        require_bwrap()
    course = make_course(root, tmp_path_factory.mktemp(f"hostile-{request.param}"))
    submit(
        root,
        course,
        "victim",
        (root / "tests/fixtures/01_pep8/alt_functional.py").read_text(),
    )
    for path in sorted(HOSTILE.glob("*.py")):
        text = path.read_text(encoding="utf-8").replace("{COURSE}", str(course))
        submit(root, course, path.stem, text)
    protected = {
        name: _digest(course / name) for name in ("solutions", "submitted", "source")
    }
    protected["config"] = {
        "nbgrader_config.py": hashlib.sha256(
            (course / "nbgrader_config.py").read_bytes()
        ).hexdigest()
    }
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", ASSIGNMENT, "-j", "2"],
        cwd=course,
        env=nbgrader_env({**LIMITS, "COURSE_SANDBOX": request.param}),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    seconds = time.monotonic() - started
    after = {
        name: _digest(course / name) for name in ("solutions", "submitted", "source")
    }
    after["config"] = {
        "nbgrader_config.py": hashlib.sha256(
            (course / "nbgrader_config.py").read_bytes()
        ).hexdigest()
    }
    assert done.returncode == 0, done.stdout + done.stderr[-4000:]
    assert f"sandbox: {request.param}" in done.stdout
    return course, protected, after, seconds, done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("attack", sorted(EXPECTED))
def test_each_attack_scores_zero_and_says_why(
    graded: tuple[Path, dict[str, str], dict[str, str], float, str], attack: str
) -> None:
    course = graded[0]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        grade = gradebook.find_grade("check_behaviour", ASSIGNMENT, ASSIGNMENT, attack)
        assert grade.auto_score == 0
    html = _grade_html(course, attack, "check_behaviour")
    found = [f for f in EXPECTED[attack]["findings"] if f'data-finding="{f}"' in html]
    assert found, html


@pytest.mark.slow
def test_nothing_else_changed(
    graded: tuple[Path, dict[str, str], dict[str, str], float, str],
) -> None:
    course, before, after, seconds, output = graded
    assert before == after
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        victim = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "victim")
        assert victim.score == 10, _grade_html(course, "victim", "check_behaviour")
        assert len(gradebook.assignment_submissions(ASSIGNMENT)) == len(EXPECTED) + 1
    # 21 submissions, two at a time, with 6-second limits: the limits held.
    assert seconds < 180, output


@pytest.mark.slow
def test_no_hidden_test_reaches_the_feedback(
    graded: tuple[Path, dict[str, str], dict[str, str], float, str],
) -> None:
    course = graded[0]
    for student in (*EXPECTED, "victim"):
        for cell in (
            "check_statements",
            "check_layout",
            "check_imports",
            "check_behaviour",
        ):
            html = _grade_html(course, student, cell)
            assert "stock of 3 March" not in html
            assert "test_low_stock_sorts_names_below_the_threshold():" not in html
            assert "BEGIN HIDDEN TESTS" not in html
