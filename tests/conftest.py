"""Shared fixtures: settings in a temporary cache, and one warm worker per session."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from autograder import Settings, load_settings
from autograder.runner import WorkerClient

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _progress_in_a_temporary_folder(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """Checks and kernels record progress in a temporary folder, never the user's."""
    patch = pytest.MonkeyPatch()
    patch.setenv("COURSE_DATA_DIR", str(tmp_path_factory.mktemp("progress")))
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def _course_logger_restored() -> Iterator[None]:
    """Undo what loading the kernel extension does to the course's logger."""
    course = logging.getLogger("autograder")
    propagate, handlers = course.propagate, list(course.handlers)
    yield
    for handler in course.handlers:
        if handler not in handlers:
            handler.close()
    course.propagate = propagate
    course.handlers[:] = handlers


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
