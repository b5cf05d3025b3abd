"""Fixtures for the progress tests: a store in a temporary data folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from autograder.progress import ProgressStore


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh data folder, set as COURSE_DATA_DIR for this test only."""
    folder = tmp_path / "data"
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    return folder


@pytest.fixture
def store(data_dir: Path) -> Iterator[ProgressStore]:
    """The configured store, closed after the test."""
    opened = ProgressStore.from_settings()
    yield opened
    opened.close()
