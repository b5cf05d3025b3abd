"""Do the test-quality checks judge a learner's tests the way they should?

The ``mutants`` check must pass tests that are right on the hidden reference
and catch its mutants, name surviving mutants only by what they get wrong,
charge for tests that fail on correct code, and, in a self-check without the
hidden material, say honestly that the mutants run at grading. The
``coverage`` check must measure the learner's module with branches, ignore
``# pragma: no cover``, and point at what no test reached. They run as the
engine runs them: in a forked, limited child.
"""

from __future__ import annotations

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

TESTS = AnswerSpec("tests", "test_shop", "your tests", ())
IMPL = AnswerSpec("impl", "shop", "your module", ("discount",))

REFERENCE = """def discount(total):
    if total >= 100:
        return total * 0.9
    return total
"""

MATERIAL = f"""%%check check_tests
# Your tests run against a correct module and planted bugs at grading.
### BEGIN HIDDEN TESTS
REFERENCE = '''{REFERENCE}'''

MUTANTS = {{
    "the discount starts above 100": (">= 100", "> 100"),
    "the discount is 20 % instead of 10 %": ("* 0.9", "* 0.8"),
    "a small total costs nothing": (
        "    return total\\n",
        "    return 0\\n",
    ),
    "every total gets the discount": '''def discount(total):
    return total * 0.9
''',
}}
### END HIDDEN TESTS
"""

PUBLIC = "%%check check_tests\n# The mutants run at grading.\n"

GOOD_TESTS = """import shop


def test_small_totals_pay_in_full():
    assert shop.discount(99) == 99


def test_the_discount_starts_at_100():
    assert shop.discount(100) == 90
"""

WEAK_TESTS = """import shop


def test_returns_a_number():
    assert shop.discount(150) > 0


def test_small_totals_pay_in_full():
    assert shop.discount(50) == 50
"""

WRONG_TESTS = (
    GOOD_TESTS
    + """

def test_a_mistaken_expectation():
    assert shop.discount(200) == 170
"""
)


def mutants(
    tests: str,
    settings: Settings,
    *,
    cell: str = MATERIAL,
    impl: str = REFERENCE,
    options: dict[str, object] | None = None,
) -> CheckResult:
    job = Job(
        checks={
            0: CheckSpec("mutants", 4.0, "tests", options or {"implementation": "impl"})
        },
        answers={"tests": (TESTS, tests), "impl": (IMPL, impl)},
        tests=split_tests("check_tests", cell),
    )
    return run_isolated(job, settings)[0]


def coverage(
    tests: str, impl: str, settings: Settings, **options: object
) -> CheckResult:
    job = Job(
        checks={0: CheckSpec("coverage", 2.0, "impl", {"tests": "tests", **options})},
        answers={"tests": (TESTS, tests), "impl": (IMPL, impl)},
        tests=split_tests("check_coverage", "%%check check_coverage\n# coverage\n"),
    )
    return run_isolated(job, settings)[0]


def ids(result: CheckResult) -> list[str]:
    return [finding.id for finding in result.findings]


def text(result: CheckResult) -> str:
    return " ".join(f.message + " " + f.hint for f in result.findings)


# --- mutants --------------------------------------------------------------------


def test_tests_that_catch_every_mutant_earn_everything(settings: Settings) -> None:
    result = mutants(GOOD_TESTS, settings)
    assert result.fraction == 1.0
    assert ids(result) == ["testing.mutants-caught"]
    assert "4 of 4" in result.findings[0].message


def test_a_surviving_mutant_is_named_by_what_it_gets_wrong_not_by_its_code(
    settings: Settings,
) -> None:
    result = mutants(WEAK_TESTS, settings)
    survived = [f.message for f in result.findings if f.id == "testing.mutant-survived"]
    assert [message.split(": ", 1)[1] for message in survived] == [
        "the discount starts above 100.",
        "the discount is 20 % instead of 10 %.",
    ]
    assert "> 100" not in text(result)
    assert "* 0.8" not in text(result)
    assert "return" not in text(result)
    # two of four caught is 50 %, a share of 50 / 80 of the points
    assert result.fraction == pytest.approx(0.5 / 0.8)
    assert "testing.mutant-score" in ids(result)


def test_a_test_that_fails_on_the_reference_is_located_and_costs_a_share(
    settings: Settings,
) -> None:
    result = mutants(WRONG_TESTS, settings)
    (wrong,) = [f for f in result.findings if f.id == "testing.wrong-on-reference"]
    assert "test_a_mistaken_expectation" in wrong.message
    assert "assert 180.0 == 170" in wrong.message
    assert wrong.location is not None
    assert (wrong.location.cell, wrong.location.line) == ("tests", 13)
    # every mutant is still caught by the right tests: 1 - 1/4
    assert result.fraction == pytest.approx(0.75)


def test_tests_that_all_fail_on_the_reference_earn_nothing(settings: Settings) -> None:
    tests = "import shop\n\n\ndef test_wrong():\n    assert shop.discount(1) == 2\n"
    result = mutants(tests, settings)
    assert result.fraction == 0.0
    assert ids(result) == ["testing.wrong-on-reference"]


def test_the_allowance_sets_what_each_wrong_test_costs(settings: Settings) -> None:
    options = {"implementation": "impl", "allowance": 2}
    assert mutants(WRONG_TESTS, settings, options=options).fraction == 0.5


def test_a_self_check_runs_the_tests_on_the_learners_module_and_says_so(
    settings: Settings,
) -> None:
    result = mutants(WEAK_TESTS, settings, cell=PUBLIC)
    assert result.fraction == 1.0
    assert ids(result) == ["testing.mutants-at-grading"]
    assert "at grading" in result.findings[0].message.lower()


def test_a_self_check_reports_tests_that_fail_on_the_learners_module(
    settings: Settings,
) -> None:
    buggy = "def discount(total):\n    return total\n"
    result = mutants(GOOD_TESTS, settings, cell=PUBLIC, impl=buggy)
    assert result.fraction == 0.5
    (failed,) = [f for f in result.findings if f.id == "testing.failed-on-own"]
    assert "test_the_discount_starts_at_100" in failed.message
    assert failed.location is not None
    assert failed.location.line == 9


def test_tests_that_cannot_be_collected_earn_nothing(settings: Settings) -> None:
    result = mutants("from shop import nothing_here\n", settings)
    assert result.fraction == 0.0
    assert ids(result) == ["testing.broken-tests"]
    assert "nothing_here" in result.findings[0].message


def test_a_module_without_test_functions_earns_nothing(settings: Settings) -> None:
    result = mutants("import shop\n\nCHECKED = True\n", settings)
    assert result.fraction == 0.0
    assert ids(result) == ["testing.no-tests"]


def test_many_failures_are_listed_up_to_a_limit(settings: Settings) -> None:
    tests = "import shop\n" + "".join(
        f"\n\ndef test_wrong_{n}():\n    assert shop.discount(1) == 2\n"
        for n in range(9)
    )
    result = mutants(tests, settings)
    assert ids(result).count("testing.wrong-on-reference") == 6
    assert ids(result)[-1] == "testing.failures-cut"
    assert "3 more" in result.findings[-1].message


@pytest.mark.parametrize(
    ("hidden", "reason"),
    [
        ("REFERENCE = 'x = 1'\nMUTANTS = {}\n", "must be source"),
        ("REFERENCE = 'x = 1'\nMUTANTS = {'bug': ('y', 'z')}\n", "must occur once"),
        ("REFERENCE = 'x = 1'\nMUTANTS = {'same': 'x = 1'}\n", "identical"),
        ("REFERENCE = 'x = 1'\nMUTANTS = {'bug': 3}\n", "must be source"),
    ],
)
def test_malformed_material_is_the_courses_fault_not_the_learners(
    hidden: str, reason: str, settings: Settings
) -> None:
    cell = (
        f"%%check check_tests\n### BEGIN HIDDEN TESTS\n{hidden}### END HIDDEN TESTS\n"
    )
    result = mutants(GOOD_TESTS, settings, cell=cell)
    assert result.fraction == 0.0
    assert ids(result) == ["checks.error"]
    assert reason in result.findings[0].message


def test_material_outside_the_hidden_tests_is_refused(settings: Settings) -> None:
    cell = MATERIAL.replace("### BEGIN HIDDEN TESTS\n", "").replace(
        "MUTANTS = {", "### BEGIN HIDDEN TESTS\nMUTANTS = {"
    )
    result = mutants(GOOD_TESTS, settings, cell=cell)
    assert ids(result) == ["checks.error"]
    assert "REFERENCE must be in the hidden tests" in result.findings[0].message


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("mutants", {}, "implementation"),
        ("mutants", {"implementation": "impl", "threshold": 120}, "≤ 100"),
        ("mutants", {"implementation": "impl", "colour": "red"}, "colour"),
        ("coverage", {}, "tests"),
        ("coverage", {"tests": "tests", "floor": 90, "target": 90}, "floor < target"),
    ],
)
def test_bad_options_are_refused(
    kind: str, options: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_check(kind, options)


# --- coverage -------------------------------------------------------------------

BRANCHY = """def discount(total):
    if total >= 100:
        return total * 0.9
    return total


def label(total):
    if total < 0:
        raise ValueError(total)
    return f"{total:.2f}"
"""

LABEL_TESTS = (
    GOOD_TESTS
    + """

def test_label_has_two_decimals():
    assert shop.label(2) == "2.00"
"""
)


def test_tests_that_run_every_branch_earn_everything(settings: Settings) -> None:
    tests = (
        LABEL_TESTS
        + """

def test_label_refuses_negative_totals():
    import pytest

    with pytest.raises(ValueError):
        shop.label(-1)
"""
    )
    result = coverage(tests, BRANCHY, settings)
    assert result.fraction == 1.0
    assert ids(result) == ["testing.coverage-met"]
    assert "100 %" in result.findings[0].message


def test_unreached_code_is_pointed_at_in_the_learners_cell(settings: Settings) -> None:
    result = coverage(LABEL_TESTS, BRANCHY, settings)
    # 8 statements and 4 branches; line 9 and the branch to it never run
    assert result.findings[0].id == "testing.coverage-low"
    assert "83 %" in result.findings[0].message
    assert "of your `shop`" in result.findings[0].message
    assert result.fraction == pytest.approx((10 / 12 * 100 - 50) / 40)
    (line,) = [f for f in result.findings if f.id == "testing.line-not-run"]
    assert line.location is not None
    assert (line.location.cell, line.location.line) == ("impl", 9)
    assert "testing.branch-not-taken" not in ids(result)  # said by the line


def test_a_branch_never_taken_is_named_by_its_lines(settings: Settings) -> None:
    impl = "def clamp(value):\n    if value < 0:\n        value = 0\n    return value\n"
    tests = "import shop\n\n\ndef test_negative():\n    assert shop.clamp(-3) == 0\n"
    result = coverage(tests, impl, settings)
    (branch,) = [f for f in result.findings if f.id == "testing.branch-not-taken"]
    assert "from line 2 to line 4" in branch.message
    assert branch.location is not None
    assert branch.location.line == 2


def test_pragma_no_cover_buys_nothing(settings: Settings) -> None:
    impl = BRANCHY.replace(
        "raise ValueError(total)", "raise ValueError(total)  # pragma: no cover"
    )
    result = coverage(LABEL_TESTS, impl, settings)
    assert result.fraction < 1.0
    assert "testing.line-not-run" in ids(result)


def test_the_floor_and_target_set_the_partial_credit(settings: Settings) -> None:
    result = coverage(LABEL_TESTS, BRANCHY, settings, target=80, floor=10)
    assert result.fraction == 1.0
    assert result.findings[0].id == "testing.coverage-met"


def test_failing_tests_are_mentioned_and_their_coverage_still_counts(
    settings: Settings,
) -> None:
    result = coverage(WRONG_TESTS, REFERENCE, settings)
    assert result.fraction == 1.0
    assert ids(result)[0] == "testing.failing-while-measured"
    assert "1 of your 3 tests" in result.findings[0].message


def test_tests_that_never_import_the_module_are_told_so(settings: Settings) -> None:
    tests = "def test_arithmetic():\n    assert 1 + 1 == 2\n"
    result = coverage(tests, REFERENCE, settings)
    assert result.fraction == 0.0
    assert ids(result) == ["testing.not-imported"]


def test_a_tests_cell_still_at_its_stub_is_named(settings: Settings) -> None:
    stub = "# YOUR CODE HERE\nraise NotImplementedError()\n"
    result = coverage(stub, REFERENCE, settings)
    assert result.fraction == 0.0
    assert ids(result) == ["testing.cell-not-ready"]
    assert result.findings[0].location is not None
    assert result.findings[0].location.cell == "tests"


def test_a_self_check_before_the_module_exists_says_red_comes_first(
    settings: Settings,
) -> None:
    stub = "# YOUR CODE HERE\nraise NotImplementedError()\n"
    result = mutants(GOOD_TESTS, settings, cell=PUBLIC, impl=stub)
    assert result.fraction == 0.0
    assert ids(result) == ["testing.nothing-to-test-yet"]
    assert "Red is where test-first starts" in result.findings[0].hint
