"""Does the complexity check name the function, the measure and the limit it broke?"""

from pathlib import Path

import pytest

from autograder import Settings
from autograder.checks import build_check

from .helpers import run_check

LIMITS = {"max_complexity": 5, "max_statements": 20, "max_args": 5}

BRANCHY = """\
def classify(a, b, c, d, e, f):
    if a:
        return 1
    if b:
        return 2
    if c:
        return 3
    if d:
        return 4
    if e:
        return 5
    return 6
"""

SMALL = """\
def double(x):
    return 2 * x


class Basket:
    def total(self, prices):
        return sum(prices)
"""

LONG = "def long():\n" + "".join(f"    x{n} = {n}\n" for n in range(22)) + "\n"


def test_a_complex_function_is_named_with_its_complexity_and_the_limit(
    tmp_path: Path, settings: Settings
) -> None:
    result = run_check(
        "complexity", LIMITS, BRANCHY, workdir=tmp_path, settings=settings
    )
    by_id = {f.id: f for f in result.findings}
    assert by_id["complexity.C901"].message == (
        "`classify` has a cyclomatic complexity of 6; the limit is 5."
    )
    assert by_id["complexity.PLR0913"].message == (
        "`classify` takes 6 arguments; the limit is 5."
    )
    location = by_id["complexity.C901"].location
    assert location is not None
    assert (location.line, location.column) == (1, 5)


def test_too_many_statements_are_counted(tmp_path: Path, settings: Settings) -> None:
    result = run_check("complexity", LIMITS, LONG, workdir=tmp_path, settings=settings)
    [finding] = result.findings
    assert finding.id == "complexity.PLR0915"
    assert finding.message == "`long` has 22 statements; the limit is 20."


def test_points_fall_with_each_breach(tmp_path: Path, settings: Settings) -> None:
    result = run_check(
        "complexity",
        {**LIMITS, "allowance": 4},
        BRANCHY,
        workdir=tmp_path,
        settings=settings,
    )
    assert result.fraction == pytest.approx(1 - 2 / 4)


def test_small_functions_and_methods_earn_everything(
    tmp_path: Path, settings: Settings
) -> None:
    result = run_check("complexity", LIMITS, SMALL, workdir=tmp_path, settings=settings)
    assert result.fraction == 1.0
    [clean] = result.findings
    assert clean.id == "complexity.clean"
    assert "complexity ≤ 5, statements ≤ 20, arguments ≤ 5" in clean.message


def test_a_method_is_named_with_its_class(tmp_path: Path, settings: Settings) -> None:
    source = "class Shop:\n" + "".join(
        f"    {line}\n" for line in BRANCHY.replace("(a,", "(self, a,").splitlines()
    )
    result = run_check(
        "complexity",
        {"max_complexity": 5},
        source,
        workdir=tmp_path,
        settings=settings,
    )
    assert "`Shop.classify`" in result.findings[0].message


def test_only_the_limits_given_are_checked(tmp_path: Path, settings: Settings) -> None:
    result = run_check(
        "complexity", {"max_args": 6}, BRANCHY, workdir=tmp_path, settings=settings
    )
    assert result.fraction == 1.0


def test_a_preview_limit_turns_preview_on(tmp_path: Path, settings: Settings) -> None:
    nested = (
        "def deep(rows):\n"
        "    for row in rows:\n"
        "        if row:\n"
        "            for cell in row:\n"
        "                if cell:\n"
        "                    return cell\n"
        "    return None\n"
    )
    result = run_check(
        "complexity",
        {"max_nested_blocks": 2},
        nested,
        workdir=tmp_path,
        settings=settings,
    )
    assert [f.id for f in result.findings] == ["complexity.PLR1702"]
    assert result.findings[0].message == "`deep` nests blocks 4 deep; the limit is 2."


def test_noqa_comments_do_not_buy_points(tmp_path: Path, settings: Settings) -> None:
    source = BRANCHY.replace("):\n", "):  # noqa: C901, PLR0913\n", 1)
    result = run_check(
        "complexity", LIMITS, source, workdir=tmp_path, settings=settings
    )
    assert {f.id for f in result.findings} == {"complexity.C901", "complexity.PLR0913"}


def test_the_label_lists_limits_and_rules() -> None:
    label = build_check("complexity", LIMITS).label
    assert label == (
        "complexity ≤ 5, statements ≤ 20, arguments ≤ 5 (ruff C901, PLR0915, PLR0913)"
    )


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"max_complexity": 0},
        {"max_complexity": -1},
        {"max_complexity": "5"},
        {"max_complexity": 5, "allowance": 0},
        {"max_complexity": 5, "max_lines": 9},
    ],
)
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="complexity"):
        build_check("complexity", options)


def test_the_link_option_points_breaches_at_another_lesson(
    tmp_path: Path, settings: Settings
) -> None:
    options = {**LIMITS, "link": "18_refactoring#Guard-clauses"}
    result = run_check(
        "complexity", options, BRANCHY, workdir=tmp_path, settings=settings
    )
    assert {f.link for f in result.findings} == {"18_refactoring#Guard-clauses"}
    default = run_check(
        "complexity", LIMITS, BRANCHY, workdir=tmp_path, settings=settings
    )
    assert {f.link.partition("#")[0] for f in default.findings} == {"04_modular_design"}


def test_a_link_without_a_heading_is_refused() -> None:
    with pytest.raises(ValueError, match="slug#Heading"):
        build_check("complexity", {**LIMITS, "link": "18_refactoring"})
