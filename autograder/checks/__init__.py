"""Checks: one class per tool, chosen and configured by each exercise's declaration.

Importing this package registers the built-in kinds: ``ruff``, ``mypy`` and
``pytest``.
"""

from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    TestCode,
    build_check,
    check_types,
    register_check,
    scaled,
)
from autograder.checks._mypy import MypyCheck
from autograder.checks._pytest import PytestCheck
from autograder.checks._ruff import RuffCheck

__all__ = [
    "Answer",
    "Check",
    "CheckContext",
    "CheckResult",
    "MypyCheck",
    "Options",
    "PytestCheck",
    "RuffCheck",
    "TestCode",
    "build_check",
    "check_types",
    "register_check",
    "scaled",
]
