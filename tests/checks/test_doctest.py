"""Does the doctest check run the docstring examples, and refuse a module without any?

Most tests run the check in-process; the last ones run it as the engine does,
in a forked, limited child.
"""

from __future__ import annotations

import builtins
import dataclasses
from pathlib import Path

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

from .helpers import run_check

GOOD = '''"""Prices.

Example:
    >>> basket = Basket()
    >>> basket.add(2.5)
    >>> basket.total()
    2.5
"""


class Basket:
    """A shopping basket."""

    def __init__(self):
        """Start empty."""
        self.prices = []

    def add(self, price):
        """Put an item in.

        Example:
            >>> Basket().add(-1)
            Traceback (most recent call last):
            ...
            ValueError: negative price
        """
        if price < 0:
            raise ValueError("negative price")
        self.prices.append(price)

    def total(self):
        """Sum the prices."""
        return sum(self.prices)
'''

STALE = GOOD.replace("    2.5\n", "    2.50\n")
CRASHING = GOOD.replace(">>> basket.total()", ">>> basket.totl()")
NO_EXAMPLES = (
    '"""Prices."""\n\n\ndef total(prices):\n    """Sum."""\n    return sum(prices)\n'
)


def check(
    source: str, tmp_path: Path, settings: Settings, **options: object
) -> CheckResult:
    return run_check(
        "doctest", dict(options), source, workdir=tmp_path, settings=settings
    )


def ids(result: CheckResult) -> list[str]:
    return [f.id for f in result.findings]


def test_passing_examples_earn_everything(tmp_path: Path, settings: Settings) -> None:
    result = check(GOOD, tmp_path, settings)
    assert result.fraction == 1.0
    assert ids(result) == ["doctest.passed"]
    assert "All 4 docstring examples" in result.findings[0].message


def test_a_stale_example_is_reported_at_its_line(
    tmp_path: Path, settings: Settings
) -> None:
    result = check(STALE, tmp_path, settings)
    [finding] = result.findings
    assert finding.id == "doctest.failed"
    assert finding.location is not None
    assert finding.location.line == 6
    assert "`basket.total()` promises `2.50`" in finding.message
    assert "gives `2.5`" in finding.message
    assert result.fraction == pytest.approx(3 / 4)


def test_an_example_that_crashes_says_what_it_raised(
    tmp_path: Path, settings: Settings
) -> None:
    result = check(CRASHING, tmp_path, settings)
    [finding] = result.findings
    assert finding.id == "doctest.crashed"
    assert "AttributeError" in finding.message
    assert "totl" in finding.message
    assert finding.location is not None
    assert finding.location.line == 6


def test_a_module_without_examples_earns_nothing(
    tmp_path: Path, settings: Settings
) -> None:
    result = check(NO_EXAMPLES, tmp_path, settings)
    assert result.fraction == 0.0
    assert ids(result) == ["doctest.too-few"]


def test_the_minimum_counts_examples_that_show_a_result(
    tmp_path: Path, settings: Settings
) -> None:
    enough = check(GOOD, tmp_path, settings, min_examples=2)
    too_few = check(GOOD, tmp_path, settings, min_examples=3)
    assert enough.fraction == 1.0
    assert too_few.fraction == 0.0
    assert "2 passing example(s)" in too_few.findings[0].message


def test_an_example_must_use_the_api_when_told(
    tmp_path: Path, settings: Settings
) -> None:
    trivial = '"""Prices.\n\n>>> 1 + 1\n2\n"""\n\n\nclass Basket:\n    """B."""\n'
    result = check(trivial, tmp_path, settings, must_use=["Basket"])
    assert result.fraction == 0.0
    assert "use `Basket`" in result.findings[0].message
    # In GOOD, `basket.total()` counts: an earlier line of its docstring uses Basket.
    assert (
        check(GOOD, tmp_path, settings, must_use=["Basket"], min_examples=2).fraction
        == 1.0
    )


def test_skipped_examples_do_not_count(tmp_path: Path, settings: Settings) -> None:
    skipped = '"""Prices.\n\n>>> 1 + 1  # doctest: +SKIP\n3\n"""\n'
    result = check(skipped, tmp_path, settings)
    assert result.fraction == 0.0
    assert ids(result) == ["doctest.too-few"]


def test_option_flags_apply_to_every_example(
    tmp_path: Path, settings: Settings
) -> None:
    source = '"""Numbers.\n\n>>> list(range(20))\n[0, 1, ..., 19]\n"""\n'
    assert check(source, tmp_path, settings).fraction == 0.0
    assert check(source, tmp_path, settings, optionflags=["ELLIPSIS"]).fraction == 1.0


def test_running_examples_leaves_builtins_as_they_were(
    tmp_path: Path, settings: Settings
) -> None:
    # doctest's display hook stores each value in builtins._, as the REPL does;
    # a grader that watches the builtins for tampering must see no change.
    namespace = vars(builtins)
    before = namespace.get("_", "absent")
    check(GOOD, tmp_path, settings)
    assert namespace.get("_", "absent") == before
    namespace["_"] = marker = object()
    try:
        check(GOOD, tmp_path, settings)
        assert namespace["_"] is marker
    finally:
        if before == "absent":
            del namespace["_"]
        else:
            namespace["_"] = before


def test_a_crash_on_import_is_a_finding(tmp_path: Path, settings: Settings) -> None:
    result = check(
        '"""M.\n\n>>> 1\n1\n"""\nraise RuntimeError("boom")\n', tmp_path, settings
    )
    assert ids(result) == ["tests.import-error"]
    assert result.fraction == 0.0


@pytest.mark.parametrize(
    "options",
    [{"min_examples": 0}, {"optionflags": ["FAST"]}, {"must_use": "Basket"}, {"x": 1}],
)
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="doctest"):
        build_check("doctest", options)


def test_it_says_it_runs_learner_code() -> None:
    assert build_check("doctest", {}).runs_learner_code


# --- As the engine runs it: in a forked, limited child ---------------------------

ANSWER = AnswerSpec("answer", "shop", "your module", ("Basket",))


def run_in_child(source: str, settings: Settings) -> CheckResult:
    job = Job(
        checks={0: CheckSpec("doctest", 2.0, "answer")},
        answers={"answer": (ANSWER, source)},
        tests=split_tests("examples", "%%check examples\n# doctest\n"),
    )
    return run_isolated(job, settings)[0]


def test_examples_run_in_the_isolated_child(settings: Settings) -> None:
    assert run_in_child(GOOD, settings).fraction == 1.0
    assert ids(run_in_child(STALE, settings)) == ["doctest.failed"]


def test_an_endless_example_is_stopped_and_named(settings: Settings) -> None:
    endless = GOOD.replace(
        '"""Sum the prices."""',
        '"""Sum the prices.\n\n        >>> while True: pass\n        """',
    )
    quick = dataclasses.replace(settings, check_timeout=1.0)
    result = run_in_child(endless, quick)
    assert result.fraction == 0.0
    [finding] = result.findings
    assert finding.id == "limits.timeout"
    assert "`shop.Basket.total`" in finding.message
