"""Does the mypy check run strict mode and point at the learner's lines?"""

from pathlib import Path

from autograder import Settings

from .helpers import run_check

TYPED = "def double(value: int) -> int:\n    return value * 2\n"
UNTYPED = "def double(value):\n    return value * 2\n\n\nx: int = 'a'\n"


def test_typed_code_is_clean(tmp_path: Path, settings: Settings) -> None:
    result = run_check("mypy", {}, TYPED, workdir=tmp_path, settings=settings)
    assert result.fraction == 1.0
    assert [f.id for f in result.findings] == ["types.clean"]


def test_errors_carry_mypy_codes_and_lines(tmp_path: Path, settings: Settings) -> None:
    result = run_check(
        "mypy", {"allowance": 4}, UNTYPED, workdir=tmp_path, settings=settings
    )
    where = {(f.id, f.location.line) for f in result.findings if f.location}
    assert ("types.no-untyped-def", 1) in where
    assert ("types.assignment", 5) in where
    assert result.fraction == 0.5


def test_without_strict_untyped_functions_pass(
    tmp_path: Path, settings: Settings
) -> None:
    result = run_check(
        "mypy",
        {"strict": False},
        "def f(x):\n    return x\n",
        workdir=tmp_path,
        settings=settings,
    )
    assert result.fraction == 1.0


def test_extra_flags_are_passed(tmp_path: Path, settings: Settings) -> None:
    source = "from typing import Any\n\n\ndef f(x: Any) -> Any:\n    return x\n"
    plain = run_check("mypy", {}, source, workdir=tmp_path, settings=settings)
    strict_any = run_check(
        "mypy",
        {"flags": ["--disallow-any-explicit"]},
        source,
        workdir=tmp_path,
        settings=settings,
    )
    assert plain.fraction == 1.0
    assert strict_any.fraction < 1.0


def test_comments_that_silence_mypy_are_findings_not_escapes(
    tmp_path: Path, settings: Settings
) -> None:
    source = "# mypy: ignore-errors\ndef f(x):  # type: ignore\n    return x\n"
    result = run_check("mypy", {}, source, workdir=tmp_path, settings=settings)
    ids = [f.id for f in result.findings]
    assert ids.count("types.silenced") == 2
    assert "types.no-untyped-def" in ids
    assert result.fraction < 1.0
