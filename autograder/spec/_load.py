"""Read and validate ``exercise.toml`` declarations."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from autograder._errors import SpecError
from autograder.spec._model import (
    ANSWER_FORMATS,
    AnswerSpec,
    CellSpec,
    CheckSpec,
    ExerciseSpec,
)

SPEC_FILE = "exercise.toml"
"""File name of an exercise's declaration, beside its notebook."""


def _table(path: Path, data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict) or not value:
        raise SpecError(path, key, "expected a non-empty table")
    return value


def _text(path: Path, data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise SpecError(path, f"{where}{key}", "expected a non-empty string")
    return value


def _answer(path: Path, grade_id: str, body: dict[str, Any]) -> AnswerSpec:
    where = f"answers.{grade_id}."
    defines = body.get("defines", [])
    if not isinstance(defines, list) or not all(isinstance(n, str) for n in defines):
        raise SpecError(path, f"{where}defines", "expected a list of names")
    module = _text(path, body, "module", where)
    if not module.isidentifier():
        raise SpecError(path, f"{where}module", f"{module!r} is not a module name")
    answer_format = body.get("format", "python")
    if answer_format not in ANSWER_FORMATS:
        raise SpecError(
            path, f"{where}format", f"expected one of {sorted(ANSWER_FORMATS)}"
        )
    if answer_format == "markdown" and defines:
        raise SpecError(
            path, f"{where}defines", "a Markdown answer defines no Python names"
        )
    return AnswerSpec(
        grade_id=grade_id,
        module=module,
        label=body.get("label", "your answer"),
        defines=tuple(defines),
        format=answer_format,
    )


def _check(
    path: Path, where: str, body: dict[str, Any], answers: dict[str, AnswerSpec]
) -> CheckSpec:
    options = dict(body)
    kind = options.pop("kind", None)
    points = options.pop("points", None)
    answer = options.pop("answer", None)
    if not isinstance(kind, str):
        raise SpecError(path, f"{where}kind", "expected the check's kind")
    if not isinstance(points, int | float) or points <= 0:
        raise SpecError(path, f"{where}points", "expected a positive number")
    if answer not in answers:
        raise SpecError(
            path, f"{where}answer", f"expected one of the answers {sorted(answers)}"
        )
    return CheckSpec(kind=kind, points=float(points), answer=answer, options=options)


def load_spec(path: Path) -> ExerciseSpec:
    """Read an exercise declaration and check its structure.

    The options of each check are validated later by the check class itself,
    which alone knows them.

    Args:
        path: The ``exercise.toml`` file.

    Returns:
        The declaration.

    Raises:
        SpecError: The file is missing, is not TOML, or lacks a required key.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SpecError(path, "", f"cannot read: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise SpecError(path, "", f"not valid TOML: {error}") from error
    answers = {
        grade_id: _answer(path, grade_id, body)
        for grade_id, body in _table(path, data, "answers").items()
    }
    cells: dict[str, CellSpec] = {}
    for grade_id, body in _table(path, data, "cells").items():
        where = f"cells.{grade_id}."
        raw_checks = body.get("checks")
        if not isinstance(raw_checks, list) or not raw_checks:
            raise SpecError(path, f"{where}checks", "expected at least one check")
        cells[grade_id] = CellSpec(
            grade_id=grade_id,
            title=_text(path, body, "title", where),
            checks=tuple(
                _check(path, f"{where}checks[{index}].", check, answers)
                for index, check in enumerate(raw_checks)
            ),
            hidden_tests=bool(body.get("hidden_tests", False)),
        )
    return ExerciseSpec(
        path=path,
        id=_text(path, data, "id", ""),
        title=_text(path, data, "title", ""),
        notebook=_text(path, data, "notebook", ""),
        lesson=data.get("lesson", ""),
        answers=answers,
        cells=cells,
    )


def find_spec(start: Path) -> Path:
    """Find the declaration for a notebook or folder.

    Args:
        start: A notebook file or the folder it lives in.

    Returns:
        The ``exercise.toml`` beside it.

    Raises:
        SpecError: There is no declaration there.
    """
    folder = start if start.is_dir() else start.parent
    candidate = folder / SPEC_FILE
    if not candidate.is_file():
        raise SpecError(candidate, "", "no exercise declaration beside the notebook")
    return candidate
