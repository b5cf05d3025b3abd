"""Shared fixtures: settings in a temporary cache, and one warm worker per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from autograder import Settings, load_settings
from autograder.runner import WorkerClient

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose caches and data live in a temporary folder."""
    base = tmp_path_factory.mktemp("course")
    return load_settings(
        {
            "COURSE_CACHE_DIR": str(base / "cache"),
            "COURSE_DATA_DIR": str(base / "data"),
            "COURSE_CHECK_TIMEOUT": "10",
        }
    )


@pytest.fixture(scope="session")
def worker(settings: Settings) -> Iterator[WorkerClient]:
    """One warm grading worker for the whole session."""
    client = WorkerClient(settings)
    yield client
    client.close()


@pytest.fixture(scope="session")
def root() -> Path:
    """The course repository."""
    return ROOT
