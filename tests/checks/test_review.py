"""Do the review checks match comments to planted defects and judge suggestions?

The checks run as the engine runs them, in a forked, limited child, with the
planted-defect key in the hidden region of the graded cell; reading the key
and the comments is also tested on its own.
"""

from __future__ import annotations

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult
from autograder.checks._review import Defect, read_defects
from autograder.feedback import Finding
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "review", "your review", ("COMMENTS",))
CATEGORIES = ["bug", "security", "naming"]

PUBLIC = """\
%%check review
# comments are matched at grading
"""

KEY = """\
### BEGIN HIDDEN TESTS
DEFECTS = [
    ("bug", 10),  # off by one
    ("security", 20, 22),  # SQL pasted together
    ("naming", 30),
]
### END HIDDEN TESTS
"""

HEADER = """\
from typing import NamedTuple


class Comment(NamedTuple):
    line: int
    category: str
    body: str
    suggestion: str


"""

GOOD = (
    HEADER
    + """\
COMMENTS = [
    Comment(10, "bug", "Off by one at the end.", "Use `<` instead of `<=`."),
    Comment(
        23,
        "security",
        "The input is pasted into the SQL.",
        "Bind it with a `?` placeholder.",
    ),
    Comment(29, "naming", "`x` says nothing.", "Rename it to `total_price`."),
]
"""
)


def run(
    source: str,
    settings: Settings,
    *,
    kind: str = "review-comments",
    hidden: bool = True,
    **options: object,
) -> CheckResult:
    declared: dict[str, object] = (
        {"categories": CATEGORIES, "lines": 40, "allowed_misses": 0}
        if kind == "review-comments"
        else {"minimum": 3}
    )
    job = Job(
        checks={0: CheckSpec(kind, 4, "answer", {**declared, **options})},
        answers={"answer": (ANSWER, source)},
        tests=split_tests("review", PUBLIC + (KEY if hidden else "")),
    )
    return run_isolated(job, settings)[0]


def of(result: CheckResult, finding_id: str) -> list[Finding]:
    return [f for f in result.findings if f.id == finding_id]


def test_comments_on_every_defect_earn_everything(settings: Settings) -> None:
    result = run(GOOD, settings)
    assert result.fraction == 1.0
    [finding] = result.findings
    assert finding.id == "review.all-found"
    assert "found 3 of 3 planted defects" in finding.message


def test_a_line_off_by_two_or_a_wrong_category_finds_nothing(
    settings: Settings,
) -> None:
    source = GOOD.replace("Comment(10,", "Comment(12,").replace(
        '29, "naming"', '30, "bug"'
    )
    result = run(source, settings)
    # found 1 of 3 (all needed); precision 1/3 against 75 %
    assert result.fraction == pytest.approx(1 / 3 * (1 / 3) / 0.75)
    unmatched = of(result, "review.comment-unmatched")
    assert [f.location.line for f in unmatched if f.location] == [12, 19]
    [summary] = of(result, "review.summary")
    assert "found 1 of 3 planted defects (2 not found yet)" in summary.message


def test_the_feedback_never_places_an_unfound_defect(settings: Settings) -> None:
    source = HEADER + 'COMMENTS = [Comment(5, "naming", "`d`?", "Call it `day`.")]'
    result = run(source, settings)
    shown = " ".join(f.message + f.hint for f in result.findings)
    for secret in ("10", "20", "22", "30", "off by one", "`bug`", "`security`"):
        assert secret not in shown


def test_extra_comments_cost_precision_beyond_the_target(settings: Settings) -> None:
    extra = '    Comment(1, "naming", "Module name is vague.", "Rename it to shop."),\n'
    one = GOOD.replace("COMMENTS = [\n", "COMMENTS = [\n" + extra)
    assert run(one, settings).fraction == 1.0  # 3/4 = 75 %
    two = one.replace("COMMENTS = [\n", "COMMENTS = [\n" + extra)
    assert run(two, settings).fraction == pytest.approx(0.6 / 0.75)


def test_a_missed_defect_is_allowed_when_declared(settings: Settings) -> None:
    source = GOOD.replace('Comment(29, "naming"', 'Comment(29, "bug"')
    assert run(source, settings, allowed_misses=1).fraction == pytest.approx(
        1.0 * (2 / 3) / 0.75
    )
    fewer = "\n".join(line for line in GOOD.splitlines() if "Comment(29" not in line)
    assert run(fewer, settings, allowed_misses=1).fraction == 1.0


def test_dicts_and_plain_tuples_are_comments_too(settings: Settings) -> None:
    source = """\
COMMENTS = [
    {"line": 10, "category": "bug", "body": "b", "suggestion": "s"},
    (21, "security", "pasted", "bind it"),
    [30, "naming", "vague", "rename"],
]
"""
    assert run(source, settings).fraction == 1.0


def test_malformed_comments_are_named_and_match_nothing(settings: Settings) -> None:
    source = """\
COMMENTS = [
    {"line": "10", "category": "bug", "body": "b", "suggestion": "s"},
    (21, "sql", "pasted", "bind it"),
    (30, "naming", "", "rename"),
    {"line": 99, "category": "naming", "body": "b"},
]
"""
    result = run(source, settings)
    assert result.fraction == 0.0
    problems = [f.message for f in of(result, "review.comment-malformed")]
    assert problems == [
        "Your comment 1 (line ?, `bug`) cannot be used: its `line` is str, not int.",
        "Your comment 2 (line 21, `sql`) cannot be used: its category `sql` is not "
        "one of `bug`, `security`, `naming`.",
        "Your comment 3 (line 30, `naming`) cannot be used: its `body` is empty.",
        "Your comment 4 (line ?, `?`) cannot be used: it has no `suggestion`.",
    ]
    assert [f.location.line for f in of(result, "review.comment-malformed")] == [
        2,
        3,
        4,
        5,
    ]


def test_a_hostile_int_or_str_compares_as_a_plain_one(settings: Settings) -> None:
    source = """\
class Anything(int):
    def __le__(self, other):
        return True

    def __ge__(self, other):
        return True


class Same(str):
    __hash__ = str.__hash__

    def __eq__(self, other):
        return True


COMMENTS = [(Anything(1), Same("bug"), "b", "s")] * 3
"""
    result = run(source, settings)
    assert result.fraction == 0.0


def test_without_the_key_only_the_form_is_judged(settings: Settings) -> None:
    source = GOOD.replace('"naming", "`x`', '"nits", "`x`')
    result = run(source, settings, hidden=False)
    assert result.fraction == pytest.approx(2 / 3)
    [note] = of(result, "review.matched-at-grading")
    assert note.message.startswith("2 of your 3 comments are well-formed.")


def test_a_missing_or_wrong_list_is_an_essential_finding(settings: Settings) -> None:
    [missing] = run("COMMENT = []", settings).findings
    assert missing.id == "review.not-defined"
    [wrong] = run('COMMENTS = {"line": 1}', settings).findings
    assert wrong.id == "review.not-a-list"
    assert wrong.location is not None
    assert wrong.location.line == 1
    [empty] = run("COMMENTS = []", settings).findings
    assert empty.id == "review.no-comments"


def test_a_crash_on_import_is_a_finding(settings: Settings) -> None:
    result = run("COMMENTS = [1 / 0]", settings)
    assert result.fraction == 0.0
    assert [f.id for f in result.findings] == ["tests.import-error"]


def test_suggestions_must_say_what_to_do_in_words_of_their_own(
    settings: Settings,
) -> None:
    source = """\
COMMENTS = [
    (10, "bug", "Off by one at the end of the range.", "Fix this."),
    (20, "security", "SQL is pasted together.", "SQL is pasted together!"),
    (30, "naming", "`x` says nothing.", "   "),
    (31, "naming", "`y` says nothing.", "Rename it to `total_price`."),
]
"""
    result = run(source, settings, kind="review-suggestions")
    assert result.fraction == pytest.approx(1 / 4)
    assert [f.id for f in result.findings] == [
        "review.suggestion-vague",
        "review.suggestion-copy",
        "review.suggestion-missing",
    ]
    assert [f.location.line for f in result.findings if f.location] == [2, 3, 4]


def test_suggestions_are_counted_over_a_minimum(settings: Settings) -> None:
    source = '[(1, "bug", "Off by one.", "Use `<` instead of `<=`.")]'
    result = run("COMMENTS = " + source, settings, kind="review-suggestions")
    assert result.fraction == pytest.approx(1 / 3)
    assert [f.id for f in result.findings] == ["review.too-few"]
    assert run(GOOD, settings, kind="review-suggestions").findings[0].id == (
        "review.suggestions-clean"
    )


def test_the_key_is_read_with_ranges_and_refused_when_malformed() -> None:
    tests = split_tests("review", PUBLIC + KEY)
    assert read_defects(tests) == [
        Defect("bug", 10, 10),
        Defect("security", 20, 22),
        Defect("naming", 30, 30),
    ]
    assert read_defects(None) == []
    assert read_defects(split_tests("review", "x = 1\n")) == []
    for bad in (
        'DEFECTS = [("bug",)]',
        "DEFECTS = [(1, 2)]",
        'DEFECTS = [("a", 5, 4)]',
    ):
        with pytest.raises(ValueError, match="DEFECTS"):
            read_defects(split_tests("review", bad + "\n"))


def test_a_key_with_an_undeclared_category_is_a_fault_of_the_course(
    settings: Settings,
) -> None:
    result = run(GOOD, settings, categories=["bug", "security"])
    assert [f.id for f in result.findings] == ["checks.error"]
    assert "['naming'] are not declared" in result.findings[0].message


@pytest.mark.parametrize(
    "options",
    [{"categories": []}, {"precision": 101}, {"tolerance": -1}, {"colour": "red"}],
)
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    from autograder.checks import build_check

    with pytest.raises(ValueError, match="review-comments"):
        build_check("review-comments", {"categories": ["bug"], "lines": 9, **options})
