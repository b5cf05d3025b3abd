"""Is every check module registered without being listed by hand?"""

import importlib
import pkgutil

import autograder.checks
from autograder.checks import Check, check_types


def _defines_a_check(name: str) -> bool:
    """Tell a check module from a helper that several checks share."""
    module = importlib.import_module(f"{autograder.checks.__name__}.{name}")
    return any(
        isinstance(value, type)
        and issubclass(value, Check)
        and value.__module__ == module.__name__
        for value in vars(module).values()
    )


def test_every_check_module_registers_its_kind() -> None:
    modules = {
        m.name
        for m in pkgutil.iter_modules(autograder.checks.__path__)
        if m.name.startswith("_") and m.name != "_base" and _defines_a_check(m.name)
    }
    registered = {cls.__module__.rsplit(".", 1)[-1] for cls in check_types().values()}
    assert modules <= registered


def test_the_first_kinds_exist() -> None:
    assert {"ruff", "mypy", "pytest"} <= set(check_types())
