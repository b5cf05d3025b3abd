"""Is an answer judged ready only when it parses and keeps the contract?"""

import pytest

from autograder._contract import assess
from autograder.spec import AnswerSpec

SPEC = AnswerSpec("inventory", "inventory", "your module", ("parse", "total"))


def test_a_complete_answer_is_ready_for_everything() -> None:
    ready = assess(SPEC, "def parse():\n    return 1\n\n\ntotal = sum\n")
    assert ready.static_ok
    assert ready.dynamic_ok
    assert ready.findings == ()


def test_the_released_stub_is_not_started() -> None:
    ready = assess(SPEC, "# YOUR CODE HERE\nraise NotImplementedError()\n")
    assert not ready.static_ok
    assert not ready.dynamic_ok
    assert [f.id for f in ready.findings] == ["answer.not-started"]


def test_a_missing_name_blocks_static_checks_only() -> None:
    ready = assess(SPEC, "def parse():\n    return 1\n")
    assert not ready.static_ok
    assert ready.dynamic_ok
    assert ["`total`" in f.message for f in ready.findings] == [True]


def test_a_syntax_error_is_located() -> None:
    ready = assess(SPEC, "def parse():\n    pass\n\ndef total(:\n")
    (finding,) = ready.findings
    assert finding.id == "answer.syntax-error"
    assert finding.location is not None
    assert finding.location.line == 4


@pytest.mark.parametrize("line", ["%load inventory_messy.py", "!ls"])
def test_ipython_syntax_is_named(line: str) -> None:
    ready = assess(SPEC, f"def parse():\n    pass\n{line}\n")
    (finding,) = ready.findings
    assert finding.id == "answer.magic"
    assert finding.location is not None
    assert finding.location.line == 3


def test_a_line_of_a_multi_line_string_is_no_ipython_syntax() -> None:
    source = 'GITIGNORE = """\\\n.env*\n!.env.example\n%s\n"""\n'
    plan = AnswerSpec("plan", "plan", "your plan", ("GITIGNORE",))
    assert assess(plan, source).findings == ()
    assert assess(plan, source + "!ls\n").findings[0].id == "answer.magic"


def test_a_missing_cell_is_reported() -> None:
    (finding,) = assess(SPEC, None).findings
    assert finding.id == "answer.cell-missing"


def test_without_a_contract_a_stub_is_still_not_started() -> None:
    open_spec = AnswerSpec("script", "script", "your script", ())
    assert not assess(open_spec, "raise NotImplementedError()\n").dynamic_ok
    assert assess(open_spec, "print('hi')\n").dynamic_ok


@pytest.mark.parametrize(
    "body", ["pass", "...", "raise NotImplementedError", '"""Later."""\n    pass']
)
def test_a_stub_function_does_not_count_as_defined(body: str) -> None:
    ready = assess(SPEC, f"def parse():\n    return 1\n\n\ndef total():\n    {body}\n")
    assert not ready.static_ok
    assert ready.dynamic_ok
    assert [f.id for f in ready.findings] == ["answer.stub-function"]
    assert "`total` is still a stub" in ready.findings[0].message


def test_a_contract_of_stubs_is_not_started() -> None:
    ready = assess(SPEC, "def parse():\n    pass\n\n\ndef total():\n    ...\n")
    assert not ready.dynamic_ok
    assert [f.id for f in ready.findings] == ["answer.not-started"]


MARKDOWN = AnswerSpec("readme", "README", "your README", (), "markdown")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# pricetag\n\n<!-- write the overview here -->\n\nYOUR ANSWER HERE\n",
        "# pricetag\n\n## Installation\n\n## Usage\n",
    ],
)
def test_a_markdown_skeleton_is_not_started(text: str) -> None:
    readiness = assess(MARKDOWN, text)
    assert [f.id for f in readiness.findings] == ["answer.markdown-not-started"]
    assert not readiness.static_ok
    assert not readiness.dynamic_ok


@pytest.mark.parametrize(
    "text",
    [
        "# pricetag\n\nFormats prices.\n",
        "# pricetag\n\n- one item\n",
        "# pricetag\n\n```console\n$ pip install pricetag\n```\n",
        "| a | b |\n|---|---|\n| 1 | 2 |\n",
    ],
)
def test_markdown_with_writing_is_ready_and_never_parsed_as_python(text: str) -> None:
    readiness = assess(MARKDOWN, text)
    assert readiness.findings == ()
    assert readiness.static_ok
    assert readiness.dynamic_ok
