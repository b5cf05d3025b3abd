"""Does the purity check find input/output in pure units, by reading and by running?

The check runs the way the engine runs it: in a forked, limited child. The
static scan and the run-time sentry are also tested on their own.
"""

from __future__ import annotations

import builtins
import io
import sys
from pathlib import Path

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.checks._purity import Sentry, static_sites
from autograder.feedback import Finding
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "shop", "your module", ("total", "report", "show"))
OPTIONS = {"functions": ["total", "report"], "edge": ["show"]}

PURE = """\
def total(prices):
    return sum(prices)


def report(prices):
    return f"TOTAL {total(prices)}"


def show(prices):
    print(report(prices))
"""

TESTS = """\
%%check pure
import shop


def test_total():
    assert shop.total([1, 2]) == 3


def test_report():
    assert shop.report([1]) == "TOTAL 1"
"""

HIDDEN = """
### BEGIN HIDDEN TESTS


def test_report_of_nothing():
    \"\"\"An empty basket.\"\"\"
    assert shop.report([]) == "TOTAL 0" or "SECRET-EXPECTATION"
### END HIDDEN TESTS
"""


def run(source: str, settings: Settings, tests: str = TESTS) -> CheckResult:
    job = Job(
        checks={0: CheckSpec("pure", 2.0, "answer", OPTIONS)},
        answers={"answer": (ANSWER, source)},
        tests=split_tests("pure", tests),
    )
    return run_isolated(job, settings)[0]


def ids(result: CheckResult) -> list[str]:
    return [finding.id for finding in result.findings]


def only(result: CheckResult, finding_id: str) -> Finding:
    [finding] = [f for f in result.findings if f.id == finding_id]
    return finding


def test_a_pure_core_earns_everything(settings: Settings) -> None:
    result = run(PURE, settings)
    assert result.fraction == 1.0
    assert ids(result) == ["purity.clean"]
    assert "while 2 tests ran them" in result.findings[0].message


def test_a_print_in_a_helper_makes_every_caller_impure(settings: Settings) -> None:
    source = PURE.replace(
        "    return sum(prices)\n", "    print(prices)\n    return sum(prices)\n"
    )
    result = run(source, settings)
    assert result.fraction == 0.0
    finding = only(result, "purity.io-call")
    assert finding.location is not None
    assert (finding.location.cell, finding.location.line) == ("answer", 2)
    assert "`print`, reached from `total`, `report`" in finding.message
    assert "let `show` do the printing" in finding.hint


def test_io_hidden_from_reading_is_caught_while_running(settings: Settings) -> None:
    source = "import builtins\n\n\n" + PURE.replace(
        '    return f"TOTAL',
        '    getattr(builtins, "pr" + "int")("sneaky")\n    return f"TOTAL',
    )
    result = run(source, settings)
    assert result.fraction == 0.5
    finding = only(result, "purity.io-at-runtime")
    assert "While `test_report` ran, `report` tried `print`" in finding.message
    assert finding.location is not None
    assert finding.location.line == 9


def test_writing_to_a_saved_stdout_is_caught_while_running(settings: Settings) -> None:
    source = "import sys\n\n\n" + PURE.replace(
        "    return sum(prices)\n",
        "    out = sys.stdout\n    out.write('x')\n    return sum(prices)\n",
    )
    result = run(source, settings)
    finding = only(result, "purity.io-at-runtime")
    assert "`sys.stdout.write`" in finding.message


def test_an_open_file_given_to_a_pure_unit_counts(
    settings: Settings, tmp_path: Path
) -> None:
    source = PURE.replace("sum(prices)", "sum(float(p) for p in prices)")
    tests = TESTS + (
        "\n\ndef test_from_a_file(tmp_path):\n"
        "    (tmp_path / 'p.txt').write_text('1\\n2\\n')\n"
        "    with open(tmp_path / 'p.txt') as file:\n"
        "        assert shop.total(file) == 3\n"
    )
    result = run(source, settings, tests)
    finding = only(result, "purity.open-file-argument")
    assert "`total` received an open file while `test_from_a_file` ran" in (
        finding.message
    )
    assert result.fraction == 0.5


def test_a_stub_that_only_raises_proves_nothing(settings: Settings) -> None:
    source = PURE.replace("    return sum(prices)\n", "    raise NotImplementedError\n")
    result = run(source, settings)
    finding = only(result, "purity.never-returned")
    assert "`total`" in finding.message
    assert "`report`" in finding.message
    assert result.fraction == 0.0


def test_a_missing_pure_unit_outside_the_contract_is_named(settings: Settings) -> None:
    job = Job(
        checks={0: CheckSpec("pure", 2.0, "answer", {"functions": ["total", "tax"]})},
        answers={"answer": (ANSWER, PURE)},
        tests=split_tests("pure", TESTS),
    )
    result = run_isolated(job, settings)[0]
    assert "`tax`" in only(result, "purity.not-defined").message
    assert result.fraction == 0.5


def test_hidden_tests_reach_paths_public_ones_do_not(settings: Settings) -> None:
    source = PURE.replace(
        '    return f"TOTAL',
        '    if not prices:\n        print("empty!")\n    return f"TOTAL',
    ).replace("print(", "__builtins__['print'](", 1)
    public = run(source, settings)
    graded = run(source, settings, TESTS + HIDDEN)
    assert public.fraction == 1.0
    assert graded.fraction == 0.5
    finding = only(graded, "purity.io-at-runtime")
    assert "`test_report_of_nothing`" in finding.message
    everything = " ".join(f.message + f.hint for f in graded.findings)
    assert "SECRET-EXPECTATION" not in everything


def test_an_answer_that_crashes_on_import_scores_zero(settings: Settings) -> None:
    result = run(PURE + "\nraise RuntimeError('boom')\n", settings)
    assert result.fraction == 0.0
    assert ids(result) == ["tests.import-error"]


def test_broken_tests_score_zero_and_say_so(settings: Settings) -> None:
    result = run(PURE, settings, "%%check pure\nimport shop\ndef test_(:\n")
    assert result.fraction == 0.0
    assert ids(result) == ["tests.broken-tests"]


def test_static_scan_knows_the_usual_io_and_spares_pure_helpers() -> None:
    source = """\
import logging
import os
import os.path as osp
import sys
import urllib.parse
from io import StringIO
from pathlib import Path
from subprocess import run
from urllib.request import urlopen

log = logging.getLogger(__name__)
show = print
RULES = [lambda x: print(x)]


def clean(name):
    buffer = StringIO()
    buffer.write(osp.join("a", name))
    quoted = urllib.parse.quote(buffer.getvalue())
    return os.path.basename(quoted), Path(name).suffix


def dirty(name):
    sys.stdout.write(name)
    log.info(name)
    show(name)
    run(["ls"])
    os.remove(name)
    osp.exists(name)
    Path(name).read_text()
    urlopen(name)
    return RULES
"""
    found = static_sites(source, ("clean", "dirty"))
    calls = sorted(site.call for site in found)
    assert calls == sorted(
        [
            "sys.stdout.write",
            "log.info",
            "show",
            "run",
            "os.remove",
            "osp.exists",
            "Path(name).read_text",
            "urlopen",
            "print",
        ]
    )
    assert all(units == ["dirty"] for units in found.values())


def test_the_sentry_refuses_records_and_restores() -> None:
    sentry = Sentry(Path(__file__))
    real_print, real_stdout = builtins.print, sys.stdout

    def noisy(text: str) -> str:
        print(text)  # noqa: T201 - the I/O under test
        return text

    guarded = sentry.wrap("noisy", noisy)
    with pytest.raises(PermissionError, match="print is switched off"):
        guarded("hello")
    assert builtins.print is real_print
    assert sys.stdout is real_stdout
    [attempt] = sentry.attempts
    assert (attempt.units, attempt.call) == (("noisy",), "print")
    assert attempt.line is not None
    assert sentry.calls["noisy"] == 1
    assert sentry.returns["noisy"] == 0


def test_the_sentry_counts_returns_and_sees_open_files(tmp_path: Path) -> None:
    sentry = Sentry(Path(__file__))
    guarded = sentry.wrap("size", len)
    assert guarded("abc") == 3
    assert sentry.returns["size"] == 1
    assert not sentry.attempts
    with pytest.raises(TypeError):
        guarded(io.StringIO("x"))
    assert [a.call for a in sentry.attempts] == ["an open file, given as an argument"]


@pytest.mark.parametrize(
    "options",
    [{}, {"functions": []}, {"functions": "total"}, {"functions": ["a"], "x": 1}],
)
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="pure"):
        build_check("pure", options)
