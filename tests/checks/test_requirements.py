"""Does the requirements-spec check judge names, bounds and markers as pip would?

The check runs as the engine runs it, in a forked, limited child; reading a
requirements text and mapping its lines to the cell are also tested alone.
"""

from __future__ import annotations

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult
from autograder.checks._requirements import cell_lines, requirement_lines
from autograder.feedback import Finding
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "reqs", "your module", ("RUNTIME",))

GOOD = '''\
RUNTIME = """\\
requests>=2.32,<3  # HTTP

PyYAML>=6.0.1,<7
tomli>=2.0.1,<3; python_version < "3.11"
"""
'''

TESTS = """\
%%check reqs
NEEDED = [
    {
        "name": "requests",
        "imports": ["requests"],
        "admits": ["2.32.0", "2.40.0"],
        "excludes": ["2.31.0", "3.0.0", "3.0.0rc1"],
    },
    {
        "name": "tomli",
        "imports": ["tomli"],
        "python": {"3.10": True, "3.11": False},
    },
]
NOT_HERE = [
    ("pytest", "a test tool"),
]
"""

HIDDEN = """\
### BEGIN HIDDEN TESTS
NEEDED += [
    {"name": "PyYAML", "imports": ["yaml"], "admits": ["6.1"], "excludes": ["7.0"]},
]
### END HIDDEN TESTS
"""


def run(source: str, settings: Settings, tests: str = TESTS + HIDDEN) -> CheckResult:
    job = Job(
        checks={
            0: CheckSpec("requirements-spec", 3, "answer", {"constant": "RUNTIME"})
        },
        answers={"answer": (ANSWER, source)},
        tests=split_tests("reqs", tests),
    )
    return run_isolated(job, settings)[0]


def ids(result: CheckResult) -> list[str]:
    return [finding.id for finding in result.findings]


def of(result: CheckResult, finding_id: str) -> list[Finding]:
    return [f for f in result.findings if f.id == finding_id]


def test_comments_and_blank_lines_are_skipped_as_pip_skips_them() -> None:
    text = "# header\nrequests>=2  # why\n\n  six  \nurl#fragment\n"
    assert [(line.number, line.text) for line in requirement_lines(text)] == [
        (2, "requests>=2"),
        (4, "six"),
        (5, "url#fragment"),
    ]


def test_text_lines_map_to_the_cell_lines_that_show_them() -> None:
    text = (
        "requests>=2.32,<3  # HTTP\n\nPyYAML>=6.0.1,<7\n"
        'tomli>=2.0.1,<3; python_version < "3.11"\n'
    )
    assert cell_lines(GOOD, "RUNTIME", text) == {1: 2, 2: 1, 3: 4, 4: 5}


def test_a_sound_text_earns_everything(settings: Settings) -> None:
    result = run(GOOD, settings)
    assert result.fraction == 1.0
    assert ids(result) == ["dependencies.sound"]


def test_a_missing_upper_bound_costs_half_a_unit_and_names_the_versions(
    settings: Settings,
) -> None:
    result = run(GOOD.replace(">=2.32,<3", ">=2.32"), settings)
    [finding] = of(result, "dependencies.admits-excluded")
    assert "which allows 3.0.0, 3.0.0rc1" in finding.message
    assert finding.location is not None
    assert finding.location.line == 2
    assert result.fraction == pytest.approx((0.5 + 1 + 1 + 1) / 4)


def test_an_exact_pin_refuses_the_fixes_a_range_must_allow(settings: Settings) -> None:
    result = run(GOOD.replace(">=2.32,<3", "==2.32.0"), settings)
    [finding] = of(result, "dependencies.refuses-needed")
    assert "refuses 2.40.0" in finding.message


def test_a_marker_is_judged_on_each_python(settings: Settings) -> None:
    result = run(GOOD.replace('; python_version < "3.11"', ""), settings)
    [finding] = of(result, "dependencies.wrong-marker")
    assert "wrong on Python 3.11" in finding.message
    assert result.fraction == pytest.approx(3 / 4)


def test_an_import_name_is_said_without_naming_the_hidden_distribution(
    settings: Settings,
) -> None:
    result = run(GOOD.replace("PyYAML", "yaml"), settings)
    [finding] = of(result, "dependencies.import-name")
    assert "the distribution that provides `yaml`" in finding.message
    assert "PyYAML" not in finding.message
    assert result.fraction == pytest.approx(3 / 4)


def test_names_are_canonicalised_so_a_respelling_is_a_duplicate(
    settings: Settings,
) -> None:
    source = GOOD.replace("PyYAML>=6.0.1,<7", "PyYAML>=6.0.1,<7\nPYYAML>=6.0.1,<7")
    result = run(source, settings)
    [finding] = of(result, "dependencies.duplicate")
    assert "names `pyyaml` again (first on line 4 of the cell)" in finding.message
    assert result.fraction == pytest.approx(3 / 4)


def test_a_name_that_does_not_belong_costs_with_its_reason(settings: Settings) -> None:
    source = GOOD.replace("PyYAML", "pytest>=8,<9\nPyYAML")
    result = run(source, settings)
    [finding] = of(result, "dependencies.not-here")
    assert finding.message == "`RUNTIME` names `pytest`: a test tool."
    assert result.fraction == pytest.approx(3 / 4)


def test_unknown_names_cost_only_when_the_lists_are_complete(
    settings: Settings,
) -> None:
    source = GOOD.replace("PyYAML", "click>=8,<9\nPyYAML")
    assert of(run(source, settings), "dependencies.unexpected")
    public = run(source, settings, tests=TESTS)
    assert not of(public, "dependencies.unexpected")
    assert public.fraction == 1.0


def test_a_line_that_does_not_parse_scores_nothing(settings: Settings) -> None:
    result = run(GOOD.replace("PyYAML>=", "PyYAML="), settings)
    assert result.fraction == 0.0
    [finding] = of(result, "dependencies.invalid")
    assert finding.location is not None
    assert finding.location.line == 4


def test_a_constant_that_is_no_text_is_said(settings: Settings) -> None:
    result = run("RUNTIME = ['requests>=2.32,<3']\n", settings)
    assert result.fraction == 0.0
    assert ids(result) == ["dependencies.not-text"]


def test_an_empty_text_earns_nothing(settings: Settings) -> None:
    result = run('RUNTIME = ""\n', settings)
    assert result.fraction == 0.0
    assert ids(result).count("dependencies.missing") == 3


def test_malformed_material_is_a_fault_of_the_course(settings: Settings) -> None:
    result = run(GOOD, settings, tests='%%check reqs\nNEEDED = [{"name": 1}]\n')
    assert ids(result) == ["checks.error"]
