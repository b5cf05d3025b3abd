"""Does a broken notebook give a clear error naming the file and the problem?"""

import json
from pathlib import Path

import pytest

from autograder import NotebookError
from autograder.notebook import read_cells


def _cell(grade_id: str, source: str) -> dict[str, object]:
    return {
        "cell_type": "code",
        "id": f"id-{grade_id}",
        "metadata": {"nbgrader": {"grade_id": grade_id}},
        "source": source,
        "outputs": [],
    }


def _write(path: Path, cells: list[dict[str, object]], nbformat: int = 4) -> Path:
    path.write_text(json.dumps({"nbformat": nbformat, "cells": cells, "metadata": {}}))
    return path


def test_graded_cells_are_found_by_grade_id(tmp_path: Path) -> None:
    cells = read_cells(_write(tmp_path / "a.ipynb", [_cell("x", "1"), _cell("y", "2")]))
    assert cells.sources == {"x": "1", "y": "2"}
    assert cells.cell_ids == {"x": "id-x", "y": "id-y"}


def test_duplicated_grade_ids_are_reported(tmp_path: Path) -> None:
    cells = read_cells(_write(tmp_path / "a.ipynb", [_cell("x", "1"), _cell("x", "2")]))
    assert cells.sources == {"x": "1"}
    assert cells.duplicates == ("x",)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty"),
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b"[1, 2]", "not a notebook"),
        (json.dumps({"nbformat": 3, "worksheets": []}).encode(), "format 3"),
        (json.dumps({"nbformat": 4}).encode(), "no list of cells"),
    ],
)
def test_broken_files_name_the_file_and_problem(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_bytes(content)
    with pytest.raises(NotebookError) as caught:
        read_cells(path)
    assert problem in str(caught.value)
    assert caught.value.path == path
    assert "broken.ipynb" in str(caught.value)


def test_a_missing_file_is_a_notebook_error(tmp_path: Path) -> None:
    with pytest.raises(NotebookError, match="cannot be read"):
        read_cells(tmp_path / "nope.ipynb")
