"""Checks: one class per tool, chosen and configured by each exercise's declaration.

Importing this package registers every check kind: each private module of this
package that defines a :class:`Check` subclass decorated with
:func:`register_check` is imported here, so a new kind is a new module and
nothing else.
"""

import importlib
import pkgutil

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

for _module in pkgutil.iter_modules(__path__):
    if _module.name.startswith("_") and _module.name != "_base":
        importlib.import_module(f"{__name__}.{_module.name}")

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
