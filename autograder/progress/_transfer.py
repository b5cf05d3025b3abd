"""Export and import of progress: a versioned JSON file a learner can carry.

A Binder session is thrown away when it ends, so a learner exports progress to
a file, downloads it, and imports it in the next session (or hands it to a
facilitator for the team report). The file looks like::

    {
      "format": "python-practice-course/progress",
      "format_version": 1,
      "course_version": "0.1.0",
      "learner": "Ada Lovelace",
      "exported_at": "2025-11-26T13:00:00.000000+00:00",
      "entries": [
        {"exercise": "01_pep8", "cell": "check_layout", "best": 3.0,
         "latest": 2.0, "max_score": 3.0, "attempts": 4,
         "first_at": "...", "updated_at": "..."}
      ]
    }

Importing merges: each cell keeps the better best score and the more recent
latest one, so importing a file twice, or an older file, never lowers anything.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from autograder._errors import ProgressError
from autograder.progress._outline import course_version
from autograder.progress._store import (
    CellProgress,
    MergeResult,
    ProgressStore,
    timestamp,
)

EXPORT_FORMAT = "python-practice-course/progress"
"""The ``format`` field every export carries."""

EXPORT_VERSION = 1
"""The export format's version; a later course reads every earlier one."""


@dataclass(frozen=True)
class ProgressExport:
    """The content of one export file.

    Attributes:
        learner: Who the progress belongs to (may be empty).
        course_version: Version of the course that wrote the file.
        exported_at: When it was written (ISO 8601, UTC).
        entries: Progress per graded cell.
    """

    learner: str
    course_version: str
    exported_at: str
    entries: tuple[CellProgress, ...]

    def to_json(self) -> str:
        """Serialize as the export file's text.

        Returns:
            Indented JSON, ending with a newline.
        """
        data = {
            "format": EXPORT_FORMAT,
            "format_version": EXPORT_VERSION,
            "course_version": self.course_version,
            "learner": self.learner,
            "exported_at": self.exported_at,
            "entries": [asdict(entry) for entry in self.entries],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str | bytes, source: Path) -> ProgressExport:
        """Read an export file's text, checking its format.

        Args:
            text: The file's content.
            source: Where it came from, for messages.

        Returns:
            The export.

        Raises:
            ProgressError: The text is not an export this course can read.
        """
        try:
            data = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise ProgressError(source, f"not a progress export: {error}") from error
        if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
            raise ProgressError(
                source,
                "not a progress export (no "
                f'"format": "{EXPORT_FORMAT}"); export one from the progress '
                "panel or with `course progress export FILE`",
            )
        version = data.get("format_version")
        if not isinstance(version, int) or version > EXPORT_VERSION:
            raise ProgressError(
                source,
                f"export format {version!r} was written by a newer version of the "
                f"course (this one reads up to {EXPORT_VERSION}); update the course",
            )
        exported_at = str(data.get("exported_at", ""))
        entries = data.get("entries", [])
        if not isinstance(entries, list):
            raise ProgressError(source, '"entries" must be a list')
        return cls(
            learner=str(data.get("learner") or ""),
            course_version=str(data.get("course_version") or "unknown"),
            exported_at=exported_at,
            entries=tuple(
                _entry(item, index, source, exported_at)
                for index, item in enumerate(entries)
            ),
        )


def _number(item: dict[str, Any], key: str, where: str, source: Path) -> float:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProgressError(source, f"{where}: {key!r} must be a number")
    if not math.isfinite(value) or value < 0:
        raise ProgressError(source, f"{where}: {key!r} must be zero or more")
    return float(value)


def _entry(item: object, index: int, source: Path, exported_at: str) -> CellProgress:
    where = f"entry {index}"
    if not isinstance(item, dict):
        raise ProgressError(source, f"{where} must be an object")
    for key in ("exercise", "cell"):
        if not isinstance(item.get(key), str) or not item[key]:
            raise ProgressError(source, f"{where}: {key!r} must be a non-empty text")
    best = _number(item, "best", where, source)
    latest = _number(item, "latest", where, source) if "latest" in item else best
    maximum = _number(item, "max_score", where, source) if "max_score" in item else 0
    attempts = (
        int(_number(item, "attempts", where, source)) if "attempts" in item else 1
    )
    updated_at = str(item.get("updated_at") or exported_at)
    return CellProgress(
        exercise=item["exercise"],
        cell=item["cell"],
        best=best,
        latest=latest,
        max_score=maximum,
        attempts=attempts,
        first_at=str(item.get("first_at") or updated_at),
        updated_at=updated_at,
    )


def merge_cells(*sources: Iterable[CellProgress]) -> list[CellProgress]:
    """Merge cells' progress as the store does, without a store.

    Args:
        *sources: Progress per cell, from several exports of one learner.

    Returns:
        One entry per exercise and cell: the best of the bests, the most
        recent latest score, the largest attempt count.
    """
    merged: dict[tuple[str, str], CellProgress] = {}
    for source in sources:
        for entry in source:
            key = (entry.exercise, entry.cell)
            old = merged.get(key)
            if old is None:
                merged[key] = entry
                continue
            recent = entry if entry.updated_at > old.updated_at else old
            merged[key] = CellProgress(
                exercise=entry.exercise,
                cell=entry.cell,
                best=max(old.best, entry.best),
                latest=recent.latest,
                max_score=recent.max_score,
                attempts=max(old.attempts, entry.attempts),
                first_at=min(old.first_at, entry.first_at),
                updated_at=max(old.updated_at, entry.updated_at),
            )
    return sorted(merged.values(), key=lambda cell: (cell.exercise, cell.cell))


def snapshot(store: ProgressStore, learner: str | None = None) -> ProgressExport:
    """Take an export of everything in a store.

    Args:
        store: The learner's store.
        learner: Name to put in the export; the store's saved name if omitted.

    Returns:
        The export.
    """
    return ProgressExport(
        learner=store.learner() if learner is None else learner.strip(),
        course_version=course_version(),
        exported_at=timestamp(store.clock()),
        entries=tuple(store.cells()),
    )


def default_export_name(moment: datetime) -> str:
    """Name an export file after the day it is written.

    Args:
        moment: When the export is made.

    Returns:
        Such as ``course-progress-2025-11-26.json``.
    """
    return f"course-progress-{moment:%Y-%m-%d}.json"


def export_progress(
    store: ProgressStore, path: Path, learner: str | None = None
) -> ProgressExport:
    """Write a store's progress to an export file (atomically).

    Args:
        store: The learner's store.
        path: The file to write; replaced if it exists.
        learner: Name to put in the export; the store's saved name if omitted.

    Returns:
        What was written.

    Raises:
        ProgressError: The file cannot be written.
    """
    export = snapshot(store, learner)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, scratch = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".tmp", dir=path.parent
        )
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(export.to_json())
        Path(scratch).replace(path)
    except OSError as error:
        raise ProgressError(path, f"cannot write the export: {error}") from error
    return export


def read_export(path: Path) -> ProgressExport:
    """Read an export file.

    Args:
        path: The file.

    Returns:
        The export.

    Raises:
        ProgressError: The file cannot be read or is not an export.
    """
    try:
        text = path.read_bytes()
    except OSError as error:
        raise ProgressError(path, f"cannot be read: {error.strerror}") from error
    return ProgressExport.from_json(text, path)


def import_progress(store: ProgressStore, export: ProgressExport) -> MergeResult:
    """Merge an export into a store, keeping the best score of every cell.

    Args:
        store: The learner's store.
        export: What to bring in.

    Returns:
        What changed.
    """
    result = store.merge(export.entries)
    if export.learner and not store.learner():
        store.set_learner(export.learner)
    return result
