"""Does the log-records check judge levels, exceptions, secrets and configuration?

The check runs as the engine runs it, in a forked, limited child; the
secret scan and the matching of records are also tested on their own.
"""

from __future__ import annotations

import logging

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.checks._log_capture import Captured, digit_runs, leaks
from autograder.checks._log_expect import RecordSpec, assign
from autograder.feedback import Finding
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "pay", "your module", ("pay",))
CARD = "4539 1488 0343 6467"

GOOD = """\
import logging

logger = logging.getLogger(__name__)


def pay(card, account, fail=False):
    logger.debug("paying %s with card **** %s", account, card[-4:])
    try:
        if fail:
            raise ConnectionError("down")
    except ConnectionError as error:
        logger.exception("payment to %s failed", account)
        raise RuntimeError("payment failed") from error
    logger.info("paid %s", account, extra={"receipt": "R-1"})
    return "R-1"
"""

TESTS = """\
%%check pay
CARD = "4539 1488 0343 6467"
SCENARIOS = [
    {
        "title": "a payment",
        "call": lambda pay: pay.pay(CARD, "ACC-1"),
        "returns": "R-1",
        "secrets": [CARD],
        "max_level": "INFO",
        "expect": [
            {"level": "DEBUG", "mentions": {"the account": "ACC-1"}},
            {"level": "INFO", "mentions": {"the account": "ACC-1"},
             "fields": {"receipt": "R-1"}},
        ],
    },
    {
        "title": "a failed payment",
        "call": lambda pay: pay.pay(CARD, "ACC-2", fail=True),
        "raises": "RuntimeError",
        "cause": "ConnectionError",
        "secrets": [CARD],
        "expect": [
            {"level": "ERROR", "exc_info": "ConnectionError",
             "mentions": {"the account": "ACC-2"}},
        ],
        "forbid": [{"level": "INFO", "reason": "nothing was paid"}],
    },
]
"""

HIDDEN = """\
### BEGIN HIDDEN TESTS
SCENARIOS += [
    {
        "title": "a payment to a secret account",
        "call": lambda pay: pay.pay("5425-2334-3010-9903", "ACC-SECRET"),
        "secrets": ["5425-2334-3010-9903"],
        "expect": [{"level": "INFO", "mentions": {"the account": "ACC-SECRET"}}],
    },
]
### END HIDDEN TESTS
"""


def run(
    source: str, settings: Settings, judge: str = "records", tests: str = TESTS
) -> CheckResult:
    job = Job(
        checks={0: CheckSpec("log-records", 1.0, "answer", {"judge": judge})},
        answers={"answer": (ANSWER, source)},
        tests=split_tests("pay", tests),
    )
    return run_isolated(job, settings)[0]


def of(result: CheckResult, finding_id: str) -> list[Finding]:
    return [f for f in result.findings if f.id == finding_id]


def line_of(source: str, finding: Finding) -> str:
    assert finding.location is not None
    assert finding.location.line is not None
    return source.splitlines()[finding.location.line - 1]


# --- records ---------------------------------------------------------------------


@pytest.mark.parametrize("judge", ["records", "secrets", "config"])
def test_a_well_logged_module_earns_every_judge(judge: str, settings: Settings) -> None:
    result = run(GOOD, settings, judge, TESTS + HIDDEN)
    assert result.fraction == 1.0
    assert [f.severity.value for f in result.findings] == ["celebratory"]


def test_a_success_logged_as_a_warning_is_told_its_level(settings: Settings) -> None:
    source = GOOD.replace('logger.info("paid', 'logger.warning("paid')
    result = run(source, settings)
    assert result.fraction == 0.5
    [finding] = of(result, "logs.wrong-level")
    assert "is logged at WARNING; this situation calls for INFO" in finding.message
    assert "logger.warning(" in line_of(source, finding)


def test_logger_error_in_the_handler_loses_the_traceback(settings: Settings) -> None:
    source = GOOD.replace("logger.exception(", "logger.error(")
    result = run(source, settings)
    assert result.fraction == 0.5
    [finding] = of(result, "logs.no-exc-info")
    assert "the traceback of the `ConnectionError` is lost" in finding.message


def test_a_forbidden_record_is_reported_with_its_reason(settings: Settings) -> None:
    source = GOOD.replace(
        '    logger.debug("paying',
        '    logger.info("started")\n    logger.debug("paying',
    )
    result = run(source, settings)
    [finding] = of(result, "logs.forbidden-record")
    assert "should not be there: nothing was paid" in finding.message
    assert result.fraction == 0.5


def test_a_record_louder_than_allowed_is_unexpected(settings: Settings) -> None:
    source = GOOD.replace(
        '    logger.debug("paying',
        '    logger.warning("careful")\n    logger.debug("paying',
    )
    result = run(source, settings)
    [finding] = of(result, "logs.unexpected-record")
    assert "nothing above INFO belongs" in finding.message


def test_records_of_another_logger_are_named(settings: Settings) -> None:
    source = GOOD.replace('logger.info("paid', 'logging.info("paid')
    result = run(source, settings)
    [finding] = of(result, "logs.wrong-logger")
    assert "comes from the logger `root`, not from the module's logger `pay`" in (
        finding.message
    )


def test_a_module_that_only_prints_logs_nothing(settings: Settings) -> None:
    source = "def pay(card, account, fail=False):\n    print(card)\n    return 'R-1'\n"
    for judge in ("records", "secrets", "config"):
        result = run(source, settings, judge)
        assert result.fraction == 0.0
        assert of(result, "logs.nothing-logged")


def test_a_missing_cause_is_a_wrong_outcome(settings: Settings) -> None:
    source = GOOD.replace("from error", "from None")
    result = run(source, settings)
    [finding] = of(result, "logs.wrong-outcome")
    assert "was raised without its cause" in finding.message


def test_a_hidden_scenario_is_named_without_its_values(settings: Settings) -> None:
    source = GOOD.replace('logger.info("paid %s", account', 'logger.info("paid"')
    result = run(source, settings, tests=TESTS + HIDDEN)
    shown = " ".join(f.message for f in result.findings)
    assert "a hidden scenario (a payment to a secret account)" in shown
    assert "ACC-SECRET" not in shown


def test_the_self_check_runs_only_public_scenarios(settings: Settings) -> None:
    result = run(GOOD, settings)
    assert "in all 2 scenario(s)" in result.findings[0].message


def test_a_cell_without_scenarios_is_a_fault_of_the_course(settings: Settings) -> None:
    result = run(GOOD, settings, tests="%%check pay\nCARD = 1\n")
    assert [f.id for f in result.findings] == ["checks.error"]
    assert "defines no SCENARIOS" in result.findings[0].message


# --- secrets ---------------------------------------------------------------------


def test_a_card_in_an_extra_field_is_found(settings: Settings) -> None:
    source = GOOD.replace(
        'extra={"receipt": "R-1"}', 'extra={"receipt": "R-1", "c": card}'
    )
    result = run(source, settings, "secrets")
    leaked = of(result, "logs.secret-leaked")
    assert "the extra field `c`" in leaked[0].message
    assert result.fraction == 0.5


def test_a_card_in_an_exception_message_is_found(settings: Settings) -> None:
    source = GOOD.replace(
        'raise ConnectionError("down")', "raise ConnectionError(card)"
    )
    result = run(source, settings, "secrets")
    [leaked] = of(result, "logs.secret-leaked")
    assert "the exception text of the ERROR record" in leaked.message
    assert "raise ConnectionError(card)" in line_of(source, leaked)


def test_a_hidden_card_is_never_shown(settings: Settings) -> None:
    source = GOOD.replace("card[-4:]", "card")
    result = run(source, settings, "secrets", TESTS + HIDDEN)
    shown = " ".join(f.message for f in result.findings)
    assert "a hidden card number" in shown
    assert "5425" not in shown
    assert result.fraction == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "card 4539 1488 0343 6467",
        "card 4539148803436467",
        "card 4539-1488-0343-6467",
        "middle 1488034 only",
    ],
)
def test_a_card_is_found_in_any_grouping(text: str) -> None:
    assert leaks(text, CARD)


@pytest.mark.parametrize(
    "text",
    ["card **** 6467", "card 453914******6467", "amount 2500, account ACC-1042"],
)
def test_the_first_six_or_last_four_digits_are_no_leak(text: str) -> None:
    assert not leaks(text, CARD)


def test_digit_runs_drop_their_grouping() -> None:
    assert digit_runs("a 4539 1488-0343.6467 b 12") == ["4539148803436467", "12"]


# --- configuration -----------------------------------------------------------------


def test_a_stream_handler_added_at_import_is_configuration(settings: Settings) -> None:
    source = GOOD.replace(
        "logger = logging.getLogger(__name__)\n",
        "logger = logging.getLogger(__name__)\n"
        "logger.addHandler(logging.StreamHandler())\n",
    )
    result = run(source, settings, "config")
    assert result.fraction == 0.0
    [finding] = of(result, "logs.configures")
    assert "added a `StreamHandler` to the logger `pay` when it was imported" in (
        finding.message
    )
    assert "addHandler" in line_of(source, finding)


def test_basic_config_in_a_call_is_configuration(settings: Settings) -> None:
    source = GOOD.replace(
        '    logger.debug("paying',
        '    logging.basicConfig()\n    logger.debug("paying',
    )
    result = run(source, settings, "config")
    found = of(result, "logs.configures")
    assert "called `logging.basicConfig` in a payment" in found[0].message
    assert "basicConfig" in line_of(source, found[0])


def test_propagate_off_is_configuration(settings: Settings) -> None:
    source = GOOD.replace(
        "logger = logging.getLogger(__name__)\n",
        "logger = logging.getLogger(__name__)\nlogger.propagate = False\n",
    )
    result = run(source, settings, "config")
    [finding] = of(result, "logs.configures")
    assert "set `propagate = False` on the logger `pay`" in finding.message


def test_a_null_handler_is_allowed(settings: Settings) -> None:
    source = GOOD.replace(
        "logger = logging.getLogger(__name__)\n",
        "logger = logging.getLogger(__name__)\n"
        "logger.addHandler(logging.NullHandler())\n",
    )
    assert run(source, settings, "config").fraction == 1.0


# --- matching and options ------------------------------------------------------------


def _record(level: int, message: str) -> Captured:
    return Captured(
        "pay", level, logging.getLevelName(level), message, (), {}, None, None, None,
        "pay.py", 1,
    )  # fmt: skip


def test_specs_are_matched_to_distinct_records() -> None:
    wide = RecordSpec(logging.INFO, (("any", ("paid",)),))
    narrow = RecordSpec(logging.INFO, (("account", ("ACC-1",)),))
    records = [_record(logging.INFO, "paid ACC-1"), _record(logging.INFO, "paid ACC-2")]
    assert assign((wide, narrow), records) == {0: 1, 1: 0}


def test_an_unknown_judge_is_refused() -> None:
    with pytest.raises(ValueError, match="judge"):
        build_check("log-records", {"judge": "vibes"})
