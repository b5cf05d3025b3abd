"""A pytest plugin, loaded in learner children: check the interpreter as tests run.

Once the tests are collected, and when the session ends, the warden compares
the interpreter with the snapshot it took before learner code ran and reports
every change as tampering at once. (It compares again before it seals each
result.) A comparison costs a few milliseconds, so it is made per session,
not per test.
"""

from __future__ import annotations

import sys

import pytest

_audit = sys.audit
"""Bound at import, before learner code runs."""


def pytest_collection_finish(session: pytest.Session) -> None:
    """Check the interpreter once the tests are collected."""
    _audit("course.check", "at collection")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Check the interpreter when the run ends."""
    _audit("course.check", "at the end of the tests")
