"""Tests that need bubblewrap fail in CI without it, and skip elsewhere."""

from __future__ import annotations

import os

import pytest

from autograder.sandbox import detect_backend


def require_bwrap() -> None:
    """Skip (or, in CI, fail) unless bubblewrap works on this machine."""
    backend = detect_backend("auto")
    if backend.name == "bwrap":
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must grade in bubblewrap: {backend.reason}")
    pytest.skip(backend.reason)
