"""Check that an exercise's declaration and its notebook agree.

The points of each graded cell are written twice: in nbgrader's metadata
(which nbgrader uses) and as the sum of the declared checks (which the engine
reports). The magic line of each test cell names its grade id again. These
must agree, or the learner's self-check and the instructor's grade differ.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder.spec import ExerciseSpec


def _cells(notebook: Path) -> list[dict[str, Any]]:
    data = json.loads(notebook.read_text(encoding="utf-8"))
    cells: list[dict[str, Any]] = data.get("cells", [])
    return cells


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _cell_problems(
    notebook: Path, spec: ExerciseSpec, cell_id: str, graded: dict[str, Any]
) -> list[str]:
    cell_spec = spec.cells[cell_id]
    problems = []
    meta = graded["metadata"]["nbgrader"]
    if not meta.get("grade") or not meta.get("locked"):
        problems.append(f"{notebook}: {cell_id!r} must be a locked grade cell")
    if float(meta.get("points", -1)) != cell_spec.points:
        problems.append(
            f"{notebook}: {cell_id!r} is worth {meta.get('points')} points in "
            f"nbgrader but {cell_spec.points:g} in {spec.path.name}"
        )
    source = _source(graded)
    if source.split("\n", 1)[0].split() != ["%%check", cell_id]:
        problems.append(f"{notebook}: {cell_id!r} must start with '%%check {cell_id}'")
    hidden = "### BEGIN HIDDEN TESTS" in source
    if hidden != cell_spec.hidden_tests:
        problems.append(
            f"{notebook}: {cell_id!r} hidden_tests is {cell_spec.hidden_tests} "
            f"in {spec.path.name} but the cell {'has' if hidden else 'has no'} "
            "hidden tests"
        )
    return problems


def check_consistency(spec: ExerciseSpec, notebook: Path) -> list[str]:
    """List every disagreement between a declaration and its notebook.

    Args:
        spec: The exercise's declaration.
        notebook: The solution (source) notebook.

    Returns:
        One message per problem; empty when they agree.
    """
    seen: dict[str, dict[str, Any]] = {}
    for cell in _cells(notebook):
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if isinstance(grade_id, str):
            seen[grade_id] = cell
    problems = [
        f"{notebook}: answer {answer_id!r} is not a solution cell"
        for answer_id in spec.answers
        if not seen.get(answer_id, {})
        .get("metadata", {})
        .get("nbgrader", {})
        .get("solution")
    ]
    for cell_id in spec.cells:
        graded = seen.get(cell_id)
        if graded is None:
            problems.append(f"{notebook}: graded cell {cell_id!r} is missing")
        else:
            problems += _cell_problems(notebook, spec, cell_id, graded)
    return problems
