"""Does the no-eval check find eval by reading, and code that runs by running?

The check runs as the engine runs it, in a forked, limited child; the
reading of the source is also tested on its own.
"""

from __future__ import annotations

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult
from autograder.checks._no_eval import code_runners
from autograder.feedback import Finding
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "prefs", "your module", ("parse",))

SAFE = """\
import ast


def parse(text):
    try:
        value = ast.literal_eval(text)
    except (SyntaxError, ValueError) as error:
        raise ValueError("not a literal") from error
    if not isinstance(value, dict):
        raise ValueError("not a dict")
    return value
"""

EVAL = """\
def parse(text):
    value = eval(text)
    if not isinstance(value, dict):
        raise ValueError("not a dict")
    return value
"""

TESTS = """\
%%check prefs
CASES = [
    ("{'theme': 'dark'}", {"theme": "dark"}),
    ("{'n': [1, 2], 'on': True}", {"n": [1, 2], "on": True}),
]
REFUSED = [
    "[1, 2]",  # a literal that is no dict
    "{'a': 1",  # text that does not parse
]
"""

HIDDEN = """\
### BEGIN HIDDEN TESTS
PAYLOADS = [
    "{'x': open(SENTINEL, 'w').write('ran')}",  # a secret way in
]
### END HIDDEN TESTS
"""


def run(
    source: str, settings: Settings, tests: str = TESTS, **options: object
) -> CheckResult:
    job = Job(
        checks={
            0: CheckSpec("no-eval", 1.5, "answer", {"function": "parse", **options})
        },
        answers={"answer": (ANSWER, source)},
        tests=split_tests("prefs", tests),
    )
    return run_isolated(job, settings)[0]


def ids(result: CheckResult) -> list[str]:
    return [finding.id for finding in result.findings]


def of(result: CheckResult, finding_id: str) -> list[Finding]:
    return [f for f in result.findings if f.id == finding_id]


def test_literal_eval_earns_everything(settings: Settings) -> None:
    result = run(SAFE, settings)
    assert result.fraction == 1.0
    assert ids(result) == ["security.eval-clean"]
    assert "refused all 7 payloads" in result.findings[0].message


def test_eval_is_read_at_its_line_and_caught_running_code(settings: Settings) -> None:
    result = run(EVAL, settings)
    assert result.fraction == 0.0
    [used] = of(result, "security.eval-used")
    assert used.location is not None
    assert (used.location.cell, used.location.line) == ("answer", 2)
    ran = of(result, "security.eval-ran")
    assert ran[0].message.startswith(
        "CODE RAN: for the payload `\"__import__('pathlib').Path(SENTINEL)"
    )
    assert ran[0].location is not None
    assert ran[0].location.line == 1


def test_a_payload_that_runs_costs_the_whole_running_share(settings: Settings) -> None:
    source = SAFE.replace(
        "    try:", "    if 'SECRET' in text:\n        eval(text)\n    try:"
    ).replace("SECRET", "sentinel")
    result = run(source, settings)
    assert of(result, "security.eval-ran")
    assert result.fraction == 0.0


def test_errors_that_escape_are_not_refusals(settings: Settings) -> None:
    source = SAFE.replace("(SyntaxError, ValueError)", "ValueError")
    result = run(source, settings)
    [finding] = of(result, "security.eval-not-refused")
    assert finding.message.startswith(
        "For the payload `\"{'a': 1\"`, `parse` raised SyntaxError"
    )
    assert "instead of `ValueError`" in finding.message
    assert result.fraction == pytest.approx(0.5 + 0.5 * 6 / 7)


def test_a_wrong_valid_case_is_a_gate(settings: Settings) -> None:
    source = SAFE.replace("return value", "return dict(value, extra=1)")
    result = run(source, settings)
    assert result.fraction == 0.0
    finding = of(result, "security.eval-case-failed")[0]
    assert "For the valid input `\"{'theme': 'dark'}\"`" in finding.message
    assert "expected {'theme': 'dark'}" in finding.message


def test_a_hidden_payload_is_named_by_its_kind(settings: Settings) -> None:
    source = SAFE.replace(
        "    try:", "    if \"{'x'\" in text:\n        eval(text)\n    try:"
    )
    result = run(source, settings, tests=TESTS + HIDDEN)
    [ran] = of(result, "security.eval-ran")
    assert "a hidden payload (a secret way in)" in ran.message
    assert "open(" not in ran.message


def test_the_cases_are_required(settings: Settings) -> None:
    result = run(SAFE, settings, tests="%%check prefs\nREFUSED = ['1']\n")
    assert ids(result) == ["checks.error"]


def test_the_static_share_is_an_option(settings: Settings) -> None:
    source = SAFE + "\n\nRUN = exec\n"
    assert run(source, settings).fraction == pytest.approx(0.5)
    assert run(source, settings, static=0).fraction == 1.0


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("x = eval('1')\n", [(1, "eval")]),
        ("exec('pass')\n", [(1, "exec")]),
        ("run = eval\n", [(1, "eval")]),
        ("import builtins\nbuiltins.exec('x')\n", [(2, "builtins.exec")]),
        ("from builtins import eval as parse\n", [(1, "eval")]),
        ("c = compile('1', '<s>', 'eval')\n", [(1, "compile")]),
        ("import ast\nast.literal_eval('1')\nast.parse('1')\n", []),
        ("import ast\nt = compile('1', '<s>', 'eval', ast.PyCF_ONLY_AST)\n", []),
        (
            "import ast\nt = compile('1', '<s>', 'eval', flags=ast.PyCF_ONLY_AST)\n",
            [],
        ),
    ],
)
def test_reading_finds_what_runs_text_as_code(
    source: str, found: list[tuple[int, str]]
) -> None:
    assert [(site.line, site.name) for site in code_runners(source)] == found
