"""Does a malformed submission get a clear error while the batch goes on?

Unreadable files (not JSON, empty, not UTF-8, notebook format 3) are not
graded and are named with their problem; structurally damaged notebooks
(deleted, retyped, duplicated or renamed cells, huge outputs) are graded and
their damage is listed. An honest student in the same batch scores 10.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from nbgrader.api import Gradebook

from ..nbgrader.course import (
    ASSIGNMENT,
    make_course,
    nbgrader_env,
    released_notebook,
    submit,
    submit_raw,
)

MALFORMED = Path(__file__).resolve().parent.parent / "fixtures" / "malformed"
Notebook = dict[str, Any]


def _cell(nb: Notebook, grade_id: str) -> dict[str, Any]:
    return next(
        c
        for c in nb["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id
    )


def _answered(nb: Notebook, answer: str) -> Notebook:
    nb = copy.deepcopy(nb)
    _cell(nb, "inventory")["source"] = answer
    return nb


def _delete(grade_id: str) -> Callable[[Notebook], None]:
    def change(nb: Notebook) -> None:
        nb["cells"].remove(_cell(nb, grade_id))

    return change


def _retype(nb: Notebook) -> None:
    cell = _cell(nb, "inventory")
    cell["cell_type"] = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)


def _duplicate(nb: Notebook) -> None:
    """Copy the answer cell to the end and empty the original.

    nbgrader's DeduplicateIds keeps the *last* cell with a repeated grade id
    (it walks the notebook backwards) and turns the others into plain cells,
    so grading must take the copy: 10 points, not 0 for an empty answer.
    """
    original = _cell(nb, "inventory")
    cell = copy.deepcopy(original)
    cell["id"] = "copy-of-inventory"
    nb["cells"].append(cell)
    original["source"] = ""


def _rename(nb: Notebook) -> None:
    _cell(nb, "inventory")["metadata"]["nbgrader"]["grade_id"] = "my_answer"


def _huge_output(nb: Notebook) -> None:
    _cell(nb, "inventory")["outputs"] = [
        {"output_type": "stream", "name": "stdout", "text": "x" * 30_000_000}
    ]


STRUCTURAL: dict[str, tuple[Callable[[Notebook], None], str | None]] = {
    # student: (damage, a phrase the problem list must show, or None)
    "deleted_answer": (_delete("inventory"), "answer cell 'inventory' is missing"),
    "deleted_test_cell": (
        _delete("check_behaviour"),
        "graded cell 'check_behaviour' is missing",
    ),
    "retyped_answer": (_retype, "was turned into markdown"),
    "duplicated_answer": (_duplicate, "appears more than once"),
    "renamed_answer": (_rename, "answer cell 'inventory' is missing"),
    "huge_output": (_huge_output, None),
}
UNREADABLE = {
    "invalid_json": "is not valid JSON",
    "empty": "the file is empty",
    "non_utf8": "is not UTF-8",
    "nbformat3": "notebook format 3",
}


@pytest.fixture(scope="module")
def batch(root: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One batch: an honest student, every unreadable file, every damaged notebook."""
    course = make_course(root, tmp_path_factory.mktemp("malformed"))
    good = (root / "tests/fixtures/01_pep8/alt_functional.py").read_text(
        encoding="utf-8"
    )
    submit(root, course, "honest", good)
    for name in UNREADABLE:
        submit_raw(course, name, (MALFORMED / f"{name}.ipynb").read_bytes())
    for student, (damage, _) in STRUCTURAL.items():
        nb = _answered(released_notebook(root), good)
        damage(nb)
        submit_raw(course, student, json.dumps(nb).encode())
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", ASSIGNMENT, "-j", "2"],
        cwd=course,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 1, done.stdout + done.stderr[-3000:]
    return course, done.stdout


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(UNREADABLE))
def test_an_unreadable_file_is_named_with_its_problem(
    batch: tuple[Path, str], student: str
) -> None:
    _, output = batch
    line = next(
        (
            line
            for line in output.splitlines()
            if line.strip().startswith(f"{student}:")
        ),
        "",
    )
    assert UNREADABLE[student] in line, output
    assert "NOT GRADED" in line


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(STRUCTURAL))
def test_a_damaged_notebook_is_graded_and_its_damage_listed(
    batch: tuple[Path, str], student: str
) -> None:
    course, output = batch
    phrase = STRUCTURAL[student][1]
    if phrase is not None:
        assert any(
            line.strip().startswith(f"{student}:") and phrase in line
            for line in output.splitlines()
        ), output
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        graded = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        expected = 0 if student in {"deleted_answer", "renamed_answer"} else 10
        assert graded.score == expected


@pytest.mark.slow
def test_the_batch_goes_on_for_everyone_else(batch: tuple[Path, str]) -> None:
    course, output = batch
    assert "honest" in output
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        assert (
            gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "honest").score
            == 10
        )
    assert f"{1 + len(STRUCTURAL)} graded, {len(UNREADABLE)} failed" in output
