"""Do type probes tell precise annotations from `Any`, `object` and wrong ones?

The probes run through the real mypy, in-process, as the engine runs them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.checks import TestCode as CellCode
from autograder.checks._typeprobe import TypeProbeCheck, find_probes

from .helpers import run_check

PRECISE = """\
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")


def price(name: str) -> float | None:
    return {"fig": 0.5}.get(name)


def last(items: Iterable[T]) -> T | None:
    found = None
    for item in items:
        found = item
    return found
"""

ANY = """\
from typing import Any


def price(name: Any) -> Any:
    return {"fig": 0.5}.get(name)


def last(items: Any) -> Any:
    return list(items)[-1] if items else None
"""

OBJECT = """\
def price(name: object) -> object:
    return {"fig": 0.5}.get(str(name))


def last(items: object) -> object:
    return items
"""

NOT_OPTIONAL = """\
def price(name: str) -> float:
    return {"fig": 0.5}[name]


def last(items: list[int]) -> int | None:
    return items[-1] if items else None
"""

PROBES = """\
%%check probes
from typing import assert_type

import solution


def accepts_a_price_that_may_be_missing() -> None:
    \"\"\"price takes a name and gives a float or None.\"\"\"
    assert_type(solution.price("fig"), float | None)


def rejects_a_number_as_a_name() -> None:
    \"\"\"A name is a string.\"\"\"
    solution.price("fig")
    solution.price(3)  # rejected
### BEGIN HIDDEN TESTS


def accepts_last_of_any_type() -> None:
    \"\"\"last keeps the type of the items.\"\"\"
    assert_type(solution.last(["SECRET-CODE"]), str | None)


def rejects_a_price_used_without_a_none_check() -> None:
    \"\"\"A price may be None.\"\"\"
    cost = solution.price("fig")
    if cost is not None:
        print(cost + 1)
    print(cost + 1)  # rejected
### END HIDDEN TESTS
"""


def cell_code(cell_text: str) -> CellCode:
    return split_tests("probes", cell_text)


def run(
    source: str, settings: Settings, tmp_path: Path, cell: str = PROBES
) -> CheckResult:
    return run_check(
        "typeprobe",
        {},
        source,
        workdir=tmp_path,
        settings=settings,
        tests=cell_code(cell),
    )


def public_part(cell: str) -> str:
    """The cell as the learner's release shows it: hidden tests stripped."""
    return cell.split("### BEGIN HIDDEN TESTS", maxsplit=1)[0]


def test_probes_are_read_with_their_marks_and_visibility() -> None:
    probes = find_probes(cell_code(PROBES))
    assert [p.name for p in probes] == [
        "accepts_a_price_that_may_be_missing",
        "rejects_a_number_as_a_name",
        "accepts_last_of_any_type",
        "rejects_a_price_used_without_a_none_check",
    ]
    assert [p.hidden for p in probes] == [False, False, True, True]
    assert [p.must_reject for p in probes] == [False, True, False, True]
    assert probes[1].rejected == {14}  # lines of the source, after `%%check`
    assert probes[0].summary == "price takes a name and gives a float or None."


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("def rejects_x() -> None:\n    print(1)\n", "marks no line"),
        ("def accepts_x() -> None:\n    print(1)  # rejected\n", "accepts but marks"),
        ("x = 1  # rejected\n\n\ndef accepts_x() -> None:\n    pass\n", "outside"),
        ("def helper() -> None:\n    pass\n", "no probe"),
        ("def accepts_x(:\n", "do not parse"),
    ],
)
def test_malformed_probes_are_refused(body: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        find_probes(cell_code("%%check probes\n" + body))


def test_a_malformed_cell_is_a_course_error_not_a_learner_score(
    tmp_path: Path, settings: Settings
) -> None:
    cell = "%%check probes\ndef rejects_x() -> None:\n    print(1)\n"
    result = run(PRECISE, settings, tmp_path, cell)
    assert result.fraction == 0
    assert [f.id for f in result.findings] == ["checks.error"]


def test_precise_annotations_pass_every_probe(
    tmp_path: Path, settings: Settings
) -> None:
    result = run(PRECISE, settings, tmp_path)
    assert result.fraction == 1.0
    assert [f.id for f in result.findings] == ["types.probes-passed"]
    assert "All 4 type probes" in result.findings[0].message


def test_any_everywhere_fails_every_probe(tmp_path: Path, settings: Settings) -> None:
    result = run(ANY, settings, tmp_path)
    assert result.fraction == 0
    by_id = {f.id: f for f in result.findings}
    assert set(by_id) == {
        "types.probe-any",
        "types.probe-accepted",
        "types.hidden-probe-rejected",
        "types.hidden-probe-accepted",
    }
    accepted = by_id["types.probe-accepted"]
    assert accepted.location is not None
    assert accepted.location.line == 15  # the marked line, counted in the cell
    assert "solution.price(3)" in accepted.message


def test_object_everywhere_fails_every_probe(
    tmp_path: Path, settings: Settings
) -> None:
    result = run(OBJECT, settings, tmp_path)
    assert result.fraction == 0
    rejected = [f for f in result.findings if f.id == "types.probe-rejected"]
    assert rejected
    assert "float | None" in rejected[0].message


def test_a_missing_optional_loses_only_the_probes_that_need_it(
    tmp_path: Path, settings: Settings
) -> None:
    result = run(NOT_OPTIONAL, settings, tmp_path)
    # The float-or-None probe and the None-check probe fail; so does `last`
    # on strings, since it only takes ints; rejecting a number still works.
    assert result.fraction == 0.25
    public = [f for f in result.findings if f.location is not None]
    assert [f.id for f in public] == ["types.probe-rejected"]


def test_an_error_on_an_unmarked_line_fails_a_rejecting_probe(
    tmp_path: Path, settings: Settings
) -> None:
    cell = (
        "%%check probes\nimport solution\n\n\n"
        "def rejects_a_number_as_a_name() -> None:\n"
        '    """A name is a string."""\n'
        "    solution.price(None)\n"
        "    solution.price(3)  # rejected\n"
    )
    result = run(PRECISE, settings, tmp_path, cell)
    assert result.fraction == 0
    (finding,) = result.findings
    assert finding.id == "types.probe-rejected"
    assert finding.location is not None
    assert finding.location.line == 7  # `price(None)`, counted in the cell


def test_a_hidden_probe_is_named_but_its_code_never_shown(
    tmp_path: Path, settings: Settings
) -> None:
    result = run(OBJECT, settings, tmp_path)
    hidden = [f for f in result.findings if f.id.startswith("types.hidden-probe")]
    assert {f.message.split("`")[1] for f in hidden} == {
        "accepts_last_of_any_type",
        "rejects_a_price_used_without_a_none_check",
    }
    assert all(f.location is None for f in hidden)
    assert any("last keeps the type of the items." in f.message for f in hidden)
    everything = " ".join(f.message + f.hint for f in result.findings)
    assert "SECRET-CODE" not in everything
    assert "cost + 1" not in everything


def test_a_self_check_runs_the_public_probes_only(
    tmp_path: Path, settings: Settings
) -> None:
    result = run(NOT_OPTIONAL, settings, tmp_path, public_part(PROBES))
    assert result.fraction == 0.5
    assert not any(f.id.startswith("types.hidden") for f in result.findings)


def test_an_error_in_the_shared_code_fails_every_probe(
    tmp_path: Path, settings: Settings
) -> None:
    cell = PROBES.replace(
        "import solution\n", "import solution\nfrom solution import nope\n"
    )
    result = run(PRECISE, settings, tmp_path, cell)
    assert result.fraction == 0
    (finding,) = result.findings
    assert finding.id == "types.probes-setup"
    assert finding.location is not None
    assert "nope" in finding.message


def test_hidden_shared_code_is_not_quoted(tmp_path: Path, settings: Settings) -> None:
    cell = PROBES.replace(
        "### END HIDDEN TESTS", "SECRET_NAME: int = 'x'\n### END HIDDEN TESTS"
    )
    result = run(PRECISE, settings, tmp_path, cell)
    (finding,) = result.findings
    assert finding.id == "types.probes-setup"
    assert finding.location is None
    assert "SECRET_NAME" not in finding.message + finding.hint


def test_mypy_stopped_by_the_answer_points_at_its_line(
    tmp_path: Path, settings: Settings
) -> None:
    blocked = PRECISE + "\n\nasync def feed() -> None:\n    yield from []\n"
    result = run(blocked, settings, tmp_path)
    assert result.fraction == 0
    (finding,) = result.findings
    assert finding.id == "types.probes-blocked"
    assert finding.location is not None
    assert finding.location.cell == "solution"
    assert finding.location.line == PRECISE.count("\n") + 4


def test_a_missing_test_cell_is_a_course_error(
    tmp_path: Path, settings: Settings
) -> None:
    result = run_check(
        "typeprobe", {}, PRECISE, workdir=tmp_path, settings=settings, tests=None
    )
    assert [f.id for f in result.findings] == ["checks.error"]


def test_each_flag_set_has_its_own_cache_under_the_mypy_cache(
    tmp_path: Path, settings: Settings
) -> None:
    from autograder.checks import Answer, CheckContext
    from autograder.spec import AnswerSpec

    path = tmp_path / "solution.py"
    answer = Answer(AnswerSpec("solution", "solution", "your module"), "", path)
    context = CheckContext(tmp_path, answer, {}, None, settings, lambda event: None)

    def cache_of(options: dict[str, object]) -> Path:
        arguments = TypeProbeCheck(options).arguments(context, "probes.py")
        (cache,) = [a for a in arguments if a.startswith("--cache-dir=")]
        return Path(cache.removeprefix("--cache-dir="))

    strict = cache_of({})
    loose = cache_of({"strict": False})
    assert strict.parent == loose.parent == settings.mypy_cache_dir
    assert strict != loose


def test_unknown_options_are_refused() -> None:
    with pytest.raises(ValueError, match="allowance"):
        build_check("typeprobe", {"allowance": 3})
