"""Is every check module registered without being listed by hand?"""

import pkgutil

import autograder.checks
from autograder.checks import check_types


def test_every_check_module_registers_its_kind() -> None:
    modules = {
        m.name
        for m in pkgutil.iter_modules(autograder.checks.__path__)
        if m.name.startswith("_") and m.name != "_base"
    }
    registered = {cls.__module__.rsplit(".", 1)[-1] for cls in check_types().values()}
    assert modules <= registered


def test_the_first_kinds_exist() -> None:
    assert {"ruff", "mypy", "pytest"} <= set(check_types())
