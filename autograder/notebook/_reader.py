"""Read a notebook file and pick out its graded cells by nbgrader grade id."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder._errors import NotebookError

HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"


@dataclass(frozen=True)
class NotebookCells:
    """The cells of a notebook that carry an nbgrader grade id.

    Attributes:
        path: The notebook file.
        sources: Cell text by grade id.
        cell_ids: The nbformat cell id of each graded cell, by grade id.
        duplicates: Grade ids carried by more than one cell.
    """

    path: Path
    sources: dict[str, str]
    cell_ids: dict[str, str]
    duplicates: tuple[str, ...] = field(default=())


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _load(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise NotebookError(path, f"cannot be read: {error.strerror}") from error
    if not raw.strip():
        raise NotebookError(path, "the file is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise NotebookError(
            path, f"is not UTF-8 text (byte {error.start} is {raw[error.start]:#x})"
        ) from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise NotebookError(
            path, f"is not valid JSON (line {error.lineno}: {error.msg})"
        ) from error
    if not isinstance(data, dict):
        raise NotebookError(path, "is JSON but not a notebook")
    major = data.get("nbformat")
    if major != 4:
        raise NotebookError(
            path,
            f"uses notebook format {major}, not 4; open it in JupyterLab and save it",
        )
    if not isinstance(data.get("cells"), list):
        raise NotebookError(path, "has no list of cells")
    return data


def read_cells(path: Path) -> NotebookCells:
    """Read a notebook's graded cells.

    This reads the JSON directly rather than validating the whole schema, so
    it is fast enough to run at every check in a kernel.

    Args:
        path: The notebook file.

    Returns:
        The graded cells' text and ids.

    Raises:
        NotebookError: The file is unreadable, not UTF-8, not JSON, not a
            version-4 notebook, or has no cells.
    """
    data = _load(path)
    sources: dict[str, str] = {}
    cell_ids: dict[str, str] = {}
    duplicates: list[str] = []
    for cell in data["cells"]:
        if not isinstance(cell, dict):
            continue
        meta = cell.get("metadata", {}).get("nbgrader", {})
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if not isinstance(grade_id, str):
            continue
        if grade_id in sources:
            duplicates.append(grade_id)
            continue
        sources[grade_id] = _source(cell)
        cell_ids[grade_id] = str(cell.get("id", ""))
    return NotebookCells(path, sources, cell_ids, tuple(duplicates))
