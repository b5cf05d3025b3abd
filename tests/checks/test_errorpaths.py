"""Does the error-paths check see what a call raises, from what, and what it leaves?

The cases run in-process against small answers, as the engine runs them, with
``open`` tracked for real.
"""

from __future__ import annotations

import builtins
import io
import sys
from pathlib import Path

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.checks import TestCode as CellCode
from autograder.checks._errorpaths_cases import (
    Expectation,
    find_cases,
    parse_expectation,
)
from autograder.feedback import Finding

from .helpers import run_check

GOOD = """\
class LoadError(Exception):
    pass


class MissingError(LoadError):
    def __init__(self, path):
        super().__init__(f"no such file: {path}")
        self.path = path


class NumberError(LoadError):
    pass


def number(text):
    try:
        return float(text)
    except ValueError as error:
        raise NumberError(f"not a number: {text!r}") from error


def load(path):
    try:
        with open(path, encoding="utf-8") as file:
            return [number(line) for line in file]
    except FileNotFoundError as error:
        raise MissingError(path) from error
"""

CELL = """\
%%check cases
import solution

HIERARCHY = {"MissingError": "LoadError", "NumberError": "LoadError"}


def write(folder, text):
    path = folder / "numbers.txt"
    path.write_text(text, encoding="utf-8")
    return path


def raises_missing_error_for_a_missing_file(tmp_path):
    \"\"\"A file that is not there.\"\"\"
    # raises MissingError from FileNotFoundError mentioning "absent.txt"
    return solution.load(tmp_path / "absent.txt")


def raises_number_error_for_a_word():
    \"\"\"A word is no number.\"\"\"
    return solution.number("ten")  # raises NumberError from ValueError mentioning "ten"


def returns_the_numbers_of_a_good_file(tmp_path):
    \"\"\"A good file.\"\"\"
    return solution.load(write(tmp_path, "1\\n2\\n"))


def raises_on_a_bad_line_and_closes_the_file(tmp_path):
    \"\"\"A bad line in a file.\"\"\"
    path = write(tmp_path, "1\\nten\\n")
    # raises NumberError
    return solution.load(path)
### BEGIN HIDDEN TESTS


def raises_number_error_for_an_empty_line():
    \"\"\"An empty text: NumberError from ValueError.\"\"\"
    # raises NumberError from ValueError mentioning "SECRET-INPUT-MARK"
    return solution.number("SECRET-INPUT-MARK")
### END HIDDEN TESTS
"""


def cell_code(text: str = CELL) -> CellCode:
    return split_tests("cases", text)


def run(
    source: str,
    settings: Settings,
    tmp_path: Path,
    judge: list[str] | None = None,
    cell: str = CELL,
) -> CheckResult:
    options = {} if judge is None else {"judge": judge}
    return run_check(
        "error-paths",
        options,
        source,
        workdir=tmp_path,
        settings=settings,
        tests=cell_code(cell),
    )


def ids(result: CheckResult) -> list[str]:
    return [finding.id for finding in result.findings]


def only(result: CheckResult, finding_id: str) -> Finding:
    [finding] = [f for f in result.findings if f.id == finding_id]
    return finding


def line_of(source: str, text: str) -> int:
    return next(n for n, line in enumerate(source.splitlines(), 1) if text in line)


# --- Reading the cell -------------------------------------------------------------


def test_cases_are_read_with_their_expectations_calls_and_visibility() -> None:
    declared = find_cases(cell_code())
    assert [c.name for c in declared.cases] == [
        "raises_missing_error_for_a_missing_file",
        "raises_number_error_for_a_word",
        "returns_the_numbers_of_a_good_file",
        "raises_on_a_bad_line_and_closes_the_file",
        "raises_number_error_for_an_empty_line",
    ]
    missing, word, good, bad_line, _ = declared.cases
    assert missing.expect == Expectation(
        "MissingError", "FileNotFoundError", ("absent.txt",)
    )
    assert missing.call == 'solution.load(tmp_path / "absent.txt")'
    assert missing.takes_tmp_path
    assert word.expect == Expectation("NumberError", "ValueError", ("ten",))
    assert not word.takes_tmp_path
    assert good.expect is None
    assert good.call == 'solution.load(write(tmp_path, "1\\n2\\n"))'
    assert bad_line.expect == Expectation("NumberError")
    assert bad_line.call == "solution.load(path)"
    assert [c.hidden for c in declared.cases] == [False] * 4 + [True]
    assert [(e.name, e.base) for e in declared.hierarchy] == [
        ("MissingError", "LoadError"),
        ("NumberError", "LoadError"),
    ]


def test_a_marker_alone_on_its_line_applies_to_the_next_line_of_code() -> None:
    declared = find_cases(cell_code())
    source_lines = cell_code().source.splitlines()
    missing = declared.cases[0]
    assert "solution.load(" in source_lines[missing.call_line - 1]
    word = declared.cases[1]
    assert "# raises NumberError" in source_lines[word.call_line - 1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" KeyError", Expectation("KeyError")),
        (" mod.Error from None", Expectation("mod.Error", "None")),
        (' E mentioning "a", "b c"', Expectation("E", None, ("a", "b c"))),
        (" E from OSError mentioning 'x'", Expectation("E", "OSError", ("x",))),
    ],
)
def test_the_marker_grammar(text: str, expected: Expectation) -> None:
    assert parse_expectation(text) == expected


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("def raises_x():\n    return 1\n", "exactly one"),
        ("def raises_x():\n    f()  # raises E\n    g()  # raises E\n", "exactly one"),
        ("def returns_x():\n    return f()  # raises E\n", "must return"),
        ("def returns_x(path):\n    return f(path)\n", "no argument but"),
        ("x = 1  # raises E\n\n\ndef returns_x():\n    return f()\n", "outside"),
        ("def raises_x():\n    f()  # raises E mentioning ten\n", "quoted texts"),
        ("def raises_x():\n    f()  # raises 3\n", "cannot read"),
        ("HIERARCHY = dict(a='b')\n", "literal"),
        ("HIERARCHY = {'a': 1}\n", "class names"),
        ("def helper():\n    pass\n", "no case"),
        ("def raises_x(:\n", "do not parse"),
    ],
)
def test_malformed_cells_are_refused(body: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        find_cases(cell_code("%%check cases\n" + body))


def test_a_malformed_cell_is_a_course_error_not_a_learner_score(
    tmp_path: Path, settings: Settings
) -> None:
    cell = "%%check cases\ndef raises_x():\n    return 1\n"
    result = run(GOOD, settings, tmp_path, cell=cell)
    assert result.fraction == 0
    assert ids(result) == ["checks.error"]


@pytest.mark.parametrize("judge", [["reasons"], []])
def test_unknown_or_no_aspects_are_refused(judge: list[str]) -> None:
    with pytest.raises(ValueError, match="judge"):
        build_check("error-paths", {"judge": judge})


def test_every_aspect_is_judged_unless_told_otherwise() -> None:
    check = build_check("error-paths", {})
    assert check.label == ("error paths (hierarchy, types, messages, causes, closed)")


# --- Judging ---------------------------------------------------------------------


def test_a_careful_answer_passes_every_aspect(
    tmp_path: Path, settings: Settings
) -> None:
    result = run(GOOD, settings, tmp_path)
    assert result.fraction == 1
    assert ids(result) == ["errors.passed"]
    assert "2 classes and 5 cases" in result.findings[0].message


def test_a_self_check_runs_only_the_public_cases(
    tmp_path: Path, settings: Settings
) -> None:
    public = CELL.split("### BEGIN HIDDEN TESTS", maxsplit=1)[0]
    result = run(GOOD, settings, tmp_path, cell=public)
    assert "2 classes and 4 cases" in result.findings[0].message


def test_an_error_that_is_swallowed_is_reported_with_what_came_back(
    tmp_path: Path, settings: Settings
) -> None:
    swallowing = GOOD.replace(
        '        raise NumberError(f"not a number: {text!r}") from error',
        "        return 0.0",
    )
    result = run(swallowing, settings, tmp_path, ["types"])
    finding = next(f for f in result.findings if f.id == "errors.returned")
    assert finding.message == (
        '`solution.number("ten")` returned `0.0` without raising; '
        "expected it to raise `NumberError`."
    )
    assert finding.location is not None
    assert finding.location.cell == "cases"
    assert result.fraction == pytest.approx(2 / 5)


def test_a_wrong_class_names_what_was_raised_and_where(
    tmp_path: Path, settings: Settings
) -> None:
    plain = GOOD.replace(
        'raise NumberError(f"not a number: {text!r}") from error',
        'raise ValueError(f"not a number: {text!r}") from error',
    )
    result = run(plain, settings, tmp_path, ["types"])
    finding = next(f for f in result.findings if f.id == "errors.wrong-class")
    assert "`solution.number(\"ten\")` raised `ValueError` (not a number: 'ten')" in (
        finding.message
    )
    assert "expected `NumberError` or a subclass of it" in finding.message
    assert "`ValueError` → `Exception`" in finding.message
    assert finding.location is not None
    assert finding.location.cell == "solution"
    assert finding.location.line == line_of(plain, "raise ValueError")


def test_a_subclass_of_the_expected_class_will_do(
    tmp_path: Path, settings: Settings
) -> None:
    cell = CELL.replace(
        "# raises MissingError from FileNotFoundError",
        "# raises LoadError from OSError",
    )
    result = run(GOOD, settings, tmp_path, ["types", "causes"], cell=cell)
    assert result.fraction == 1


def test_an_error_before_the_call_is_a_setup_failure(
    tmp_path: Path, settings: Settings
) -> None:
    cell = CELL.replace(
        '    path = write(tmp_path, "1\\nten\\n")',
        '    path = write(tmp_path, "1\\nten\\n")\n    solution.number("x")',
    )
    result = run(GOOD, settings, tmp_path, ["types"], cell=cell)
    finding = only(result, "errors.setup-failed")
    assert "`raises_on_a_bad_line_and_closes_the_file` stopped before" in (
        finding.message
    )


def test_a_message_that_leaves_out_the_value_is_reported(
    tmp_path: Path, settings: Settings
) -> None:
    vague = GOOD.replace('f"not a number: {text!r}"', '"not a number"')
    result = run(vague, settings, tmp_path, ["messages"])
    finding = only(result, "errors.message")
    assert "with the message 'not a number', which does not mention 'ten'" in (
        finding.message
    )
    hidden = only(result, "errors.hidden-case")
    assert "SECRET-INPUT-MARK" not in hidden.message + hidden.hint
    assert result.fraction == pytest.approx(1 / 3)


def test_a_raise_without_from_has_no_cause_but_a_context(
    tmp_path: Path, settings: Settings
) -> None:
    unchained = GOOD.replace(") from error", ")")
    result = run(unchained, settings, tmp_path, ["causes"])
    finding = next(f for f in result.findings if f.id == "errors.no-cause")
    assert "raised `MissingError` without a `__cause__`" in finding.message
    assert "`FileNotFoundError` it replaces" in finding.message
    assert "only has a `__context__` (`FileNotFoundError`)" in finding.message
    assert finding.location is not None
    assert finding.location.line == line_of(unchained, "raise MissingError")
    assert result.fraction == 0


def test_the_wrong_cause_and_a_missing_from_none_are_told_apart(
    tmp_path: Path, settings: Settings
) -> None:
    cell = CELL.replace(
        '# raises NumberError from ValueError mentioning "ten"',
        "# raises NumberError from KeyError",
    ).replace(
        "# raises MissingError from FileNotFoundError mentioning",
        "# raises MissingError from None mentioning",
    )
    result = run(GOOD, settings, tmp_path, ["causes"], cell=cell)
    assert "whose `__cause__` is a `ValueError`; expected a `KeyError`" in (
        only(result, "errors.wrong-cause").message
    )
    assert "with a `FileNotFoundError`; expected `raise ... from None`" in (
        only(result, "errors.not-from-none").message
    )


def test_from_none_passes_when_the_context_is_suppressed(
    tmp_path: Path, settings: Settings
) -> None:
    quiet = GOOD.replace(
        "raise MissingError(path) from error", "raise MissingError(path) from None"
    )
    cell = CELL.replace(
        "# raises MissingError from FileNotFoundError",
        "# raises MissingError from None",
    )
    result = run(quiet, settings, tmp_path, ["causes"], cell=cell)
    assert result.fraction == 1


def test_a_cause_is_not_judged_when_the_class_is_already_wrong(
    tmp_path: Path, settings: Settings
) -> None:
    plain = GOOD.replace("raise MissingError(path)", "raise OSError(path)")
    result = run(plain, settings, tmp_path, ["causes"])
    finding = only(result, "errors.unchecked")
    assert "raised `OSError` instead of `MissingError`" in finding.message


# --- Files closed on every path ---------------------------------------------------


def test_a_file_left_open_on_the_error_path_is_shown_at_its_open(
    tmp_path: Path, settings: Settings
) -> None:
    leaky = GOOD.replace(
        """        with open(path, encoding="utf-8") as file:
            return [number(line) for line in file]""",
        """        file = open(path, encoding="utf-8")
        numbers = [number(line) for line in file]
        file.close()
        return numbers""",
    )
    result = run(leaky, settings, tmp_path, ["closed"])
    finding = only(result, "errors.file-left-open")
    assert finding.message.startswith(
        "After `solution.load(path)` raised `NumberError`, the file `numbers.txt`"
    )
    assert finding.location is not None
    assert finding.location.cell == "solution"
    assert finding.location.line == line_of(leaky, "file = open(")
    # Cases that open no file have nothing to leave open; the good file is
    # closed at the end of the happy path.
    assert result.fraction == pytest.approx(4 / 5)


def test_pathlib_reads_count_as_opened_and_closed(
    tmp_path: Path, settings: Settings
) -> None:
    with_pathlib = GOOD.replace(
        """        with open(path, encoding="utf-8") as file:
            return [number(line) for line in file]""",
        """        text = path.read_text(encoding="utf-8")
        return [number(line) for line in text.splitlines()]""",
    )
    result = run(with_pathlib, settings, tmp_path, ["closed"])
    assert result.fraction == 1


def test_a_call_that_opens_nothing_earns_nothing_for_cleanup(
    tmp_path: Path, settings: Settings
) -> None:
    before_load = GOOD.split("def load(", maxsplit=1)[0]
    stub = before_load + "def load(path):\n    raise NotImplementedError\n"
    result = run(stub, settings, tmp_path, ["closed"])
    assert result.fraction == 0
    assert "opened no file in any of the 5 cases" in (
        only(result, "errors.no-file-opened").message
    )


def test_a_swallowed_error_leaves_no_error_path_to_check(
    tmp_path: Path, settings: Settings
) -> None:
    swallowing = GOOD.replace(
        '        raise NumberError(f"not a number: {text!r}") from error',
        "        return 0.0",
    )
    result = run(swallowing, settings, tmp_path, ["closed"])
    finding = next(
        f
        for f in result.findings
        if f.id == "errors.no-error-path" and "load(path)" in f.message
    )
    assert "returned `[1.0, 0.0]` instead of raising `NumberError`" in (finding.message)


def test_open_is_restored_and_leaked_files_are_closed_afterwards(
    tmp_path: Path, settings: Settings
) -> None:
    original = builtins.open
    leaky = GOOD.replace(
        "def load(path):\n",
        "LEAKS = []\n\n\ndef load(path):\n    LEAKS.append(open(path))\n",
    )
    result = run(leaky, settings, tmp_path, ["closed"])
    assert builtins.open is original
    assert io.open is original
    leaks = sys.modules["solution"].LEAKS
    assert leaks
    assert all(file.closed for file in leaks)
    assert result.fraction < 1


# --- Hidden cases and the hierarchy -------------------------------------------------


def test_a_hidden_case_is_shown_by_its_description_never_its_code(
    tmp_path: Path, settings: Settings
) -> None:
    plain = GOOD.replace("raise NumberError(", "raise ValueError(")
    result = run(plain, settings, tmp_path, ["types"])
    finding = only(result, "errors.hidden-case")
    assert finding.message == (
        "A grading case failed: `raises_number_error_for_an_empty_line` — "
        "An empty text: NumberError from ValueError. "
        "Your code raised `ValueError`, which is no `NumberError`."
    )
    assert "SECRET-INPUT-MARK" not in finding.message + finding.hint


def test_a_flat_hierarchy_is_told_what_each_class_derives_from(
    tmp_path: Path, settings: Settings
) -> None:
    flat = GOOD.replace(
        "class MissingError(LoadError)", "class MissingError(Exception)"
    )
    flat = flat.replace(
        "class NumberError(LoadError):\n    pass\n", "NumberError = 3\n"
    )
    result = run(flat, settings, tmp_path, ["hierarchy"])
    wrong = only(result, "errors.wrong-base")
    assert wrong.message == (
        "`MissingError` derives from `Exception`; expected a subclass of "
        "`LoadError`, so that `except LoadError:` catches it too."
    )
    assert wrong.location is not None
    assert wrong.location.line == line_of(flat, "class MissingError")
    assert "is a `int`, not an exception class" in (
        only(result, "errors.not-an-exception").message
    )
    assert result.fraction == 0


def test_cases_that_cannot_be_loaded_say_why(
    tmp_path: Path, settings: Settings
) -> None:
    cell = CELL.replace(
        "import solution\n", "import solution\nfrom solution import Nope\n"
    )
    result = run(GOOD, settings, tmp_path, cell=cell)
    finding = only(result, "errors.cases-broken")
    assert "ImportError" in finding.message
    assert result.fraction == 0


def test_a_message_that_cannot_be_built_is_reported_not_a_crash(
    tmp_path: Path, settings: Settings
) -> None:
    broken = GOOD.replace(
        "class NumberError(LoadError):\n    pass\n",
        "class NumberError(LoadError):\n    def __str__(self):\n"
        "        return self.missing\n",
    )
    result = run(broken, settings, tmp_path, ["messages"])
    finding = only(result, "errors.message")
    assert "<str() of it raised AttributeError>" in finding.message
