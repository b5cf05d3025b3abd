"""Commit messages: the conventional format, read back from real git.

The ``git-messages`` check commits every message of the learner's plan
(``COMMITS``) with the real ``git commit`` in an empty scratch repository
(``--allow-empty``: here only the words matter), reads them back with
``git log --format=%B`` — so it judges what git stores, after git's own
clean-up of blank lines and trailing spaces — and holds each to these rules:

``format``
    The subject is ``type(scope)!: description``: a type from the declared
    list (lower case), an optional scope in parentheses, an optional ``!``
    for a breaking change, a colon and a space, then the description.
``length``
    The whole subject line has at most ``subject_length`` characters (50).
``mood``
    The description starts with a verb in the imperative — "add", "fix" —
    the way git's own messages read ("Merge branch …"). A heuristic on the
    first word: it must not be a past form (``-ed``: "added", "fixed"), an
    ``-ing`` form ("adding"), or the ``-s`` form of a common verb ("adds",
    "fixes"); a few words that merely end so ("embed", "bring", "process")
    are let through. It cannot tell a noun from a verb ("coupon codes"
    passes).
``period``
    The subject does not end with a full stop.
``blank``
    A body, if there is one, is separated from the subject by a blank line.
``wrap``
    No body line is longer than ``body_width`` characters (72), except a
    line with no space in it (a URL) or one indented as quoted code.
``body``
    Commits whose type is in ``body_for`` (by default ``fix`` and ``feat``)
    have a body: a fix says what was wrong, a feature why it is wanted.

Each commit scores the share of the rules that apply to it that it keeps;
the check scores the mean over the commits. No learner code runs: the plan
is read from the answer's text (:func:`autograder.checks._git_plan.read_plan`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autograder.checks._base import (
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._git import Git, GitError
from autograder.checks._git_plan import Plan, PlannedCommit, read_plan
from autograder.feedback import Finding, make_finding

CONVENTIONAL_TYPES = (
    "build",
    "chore",
    "ci",
    "docs",
    "feat",
    "fix",
    "perf",
    "refactor",
    "revert",
    "style",
    "test",
)
"""The types of the Conventional Commits convention (after commitlint's list)."""

HEADER = re.compile(
    r"^(?P<type>[A-Za-z]+)(?:\((?P<scope>[^()\n]*)\))?(?P<breaking>!)?: "
    r"(?P<description>\S.*)$"
)

VERBS = [
    "add",
    "allow",
    "apply",
    "avoid",
    "build",
    "bump",
    "cache",
    "calculate",
    "call",
    "catch",
    "change",
    "check",
    "clamp",
    "clean",
    "compute",
    "configure",
    "convert",
    "copy",
    "correct",
    "count",
    "create",
    "cut",
    "define",
    "delete",
    "deprecate",
    "detect",
    "disable",
    "display",
    "document",
    "drop",
    "enable",
    "ensure",
    "explain",
    "extract",
    "fix",
    "format",
    "give",
    "guard",
    "handle",
    "hide",
    "ignore",
    "implement",
    "improve",
    "include",
    "initialize",
    "introduce",
    "keep",
    "limit",
    "list",
    "load",
    "log",
    "make",
    "mark",
    "merge",
    "move",
    "open",
    "optimize",
    "parse",
    "pass",
    "pin",
    "prefer",
    "prevent",
    "print",
    "protect",
    "provide",
    "raise",
    "read",
    "reduce",
    "refactor",
    "reformat",
    "refuse",
    "reject",
    "release",
    "remove",
    "rename",
    "reorder",
    "replace",
    "require",
    "reset",
    "resolve",
    "restore",
    "return",
    "revert",
    "rewrite",
    "round",
    "run",
    "save",
    "send",
    "set",
    "show",
    "simplify",
    "skip",
    "sort",
    "split",
    "start",
    "stop",
    "store",
    "strip",
    "subtract",
    "support",
    "take",
    "test",
    "tidy",
    "track",
    "treat",
    "trim",
    "tweak",
    "update",
    "upgrade",
    "use",
    "validate",
    "warn",
    "wrap",
    "write",
]
"""Common verbs of commit subjects, whose ``-s`` forms are not imperative."""

NOT_PAST = frozenset(
    [
        "bed",
        "embed",
        "exceed",
        "feed",
        "need",
        "proceed",
        "seed",
        "shed",
        "speed",
        "succeed",
        "shred",
        "red",
    ]
)
NOT_PROGRESSIVE = frozenset(
    ["bring", "ring", "sing", "spring", "sting", "string", "swing", "thing"]
)


def _third_person(verb: str) -> str:
    if verb.endswith(("s", "x", "z", "ch", "sh")):
        return f"{verb}es"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return f"{verb[:-1]}ies"
    return f"{verb}s"


THIRD_PERSON = {_third_person(verb): verb for verb in VERBS}


def mood_of(word: str) -> str | None:
    """Tell whether a subject's first word is not in the imperative.

    Args:
        word: The first word of the description.

    Returns:
        ``None`` when it may be imperative, else the form it is in
        (``"past"``, ``"-ing"`` or ``"-s"``), as a heuristic.
    """
    word = word.lower().strip(".,:;!?`'\"()")
    if word in THIRD_PERSON:
        return "-s"
    if len(word) > 3 and word.endswith("ed") and word not in NOT_PAST:
        return "past"
    if len(word) > 4 and word.endswith("ing") and word not in NOT_PROGRESSIVE:
        return "-ing"
    return None


IMPERATIVE_OF = {"-s": "the -s form", "past": "the past tense", "-ing": "an -ing form"}


@dataclass(frozen=True)
class Rules:
    """What a commit message must be.

    Attributes:
        types: Allowed types.
        subject_length: Most characters in the subject line.
        body_width: Most characters in a body line.
        body_for: Types whose commits need a body.
    """

    types: tuple[str, ...] = CONVENTIONAL_TYPES
    subject_length: int = 50
    body_width: int = 72
    body_for: tuple[str, ...] = ("fix", "feat")


@dataclass(frozen=True)
class Problem:
    """One rule a message breaks.

    Attributes:
        rule: The rule (``format``, ``length``, ``mood``, ``period``,
            ``blank``, ``wrap`` or ``body``).
        detail: What is wrong, for the feedback.
    """

    rule: str
    detail: str


def commit_type(message: str) -> str | None:
    """Read the conventional type of a message's subject.

    Args:
        message: The full message.

    Returns:
        The type as written, or ``None`` when the subject has no type prefix.
    """
    match = HEADER.match(message.split("\n", 1)[0])
    return match["type"] if match else None


def _subject_problems(subject: str, rules: Rules) -> tuple[list[Problem], str | None]:
    problems: list[Problem] = []
    match = HEADER.match(subject)
    kind = match["type"] if match else None
    description = match["description"] if match else subject
    if match is None:
        problems.append(Problem("format", "it has no `type: ` prefix"))
    elif kind not in rules.types:
        allowed = ", ".join(f"`{name}`" for name in rules.types)
        problems.append(Problem("format", f"`{kind}` is not a type ({allowed})"))
    if len(subject) > rules.subject_length:
        problems.append(
            Problem(
                "length",
                f"it has {len(subject)} characters, over {rules.subject_length}",
            )
        )
    words = description.split()
    form = mood_of(words[0]) if words else None
    if form is not None:
        problems.append(
            Problem(
                "mood", f"`{words[0]}` is {IMPERATIVE_OF[form]}, not the imperative"
            )
        )
    if subject.rstrip().endswith("."):
        problems.append(Problem("period", "it ends with a full stop"))
    return problems, kind


def message_problems(message: str, rules: Rules) -> tuple[list[Problem], int]:
    """Hold one message to the rules.

    Args:
        message: The full message, as git stored it.
        rules: The rules.

    Returns:
        The rules it breaks, and how many rules apply to it.
    """
    lines = message.rstrip("\n").split("\n")
    subject, rest = lines[0], lines[1:]
    problems, kind = _subject_problems(subject, rules)
    applicable = 6
    if rest and rest[0].strip():
        problems.append(Problem("blank", "the second line is not blank"))
    body = [line for line in rest if line.strip()]
    long = [
        line
        for line in rest
        if len(line) > rules.body_width
        and " " in line.strip()
        and not line.startswith(("    ", "\t"))
    ]
    if long:
        problems.append(
            Problem(
                "wrap",
                f"{len(long)} body line(s) run past {rules.body_width} characters, "
                f"such as `{long[0][: rules.body_width]}…`",
            )
        )
    if kind in rules.body_for:
        applicable += 1
        if not body:
            problems.append(Problem("body", f"a `{kind}` commit has no body"))
    return problems, applicable


def _finding(
    number: int, plan: PlannedCommit, problem: Problem, answer: Any
) -> Finding:
    subject = plan.message.strip().split("\n", 1)[0]
    return make_finding(
        f"git.message-{problem.rule}",
        answer.at(plan.line),
        number=number,
        subject=subject[:72],
        detail=problem.detail,
    )


@register_check
class GitMessagesCheck(Check):
    """Commit every planned message with real git and hold it to the conventions.

    Options:
        types: The allowed conventional types (default: the usual eleven).
        subject_length: Most characters in the subject line (default 50).
        body_width: Most characters in a body line (default 72).
        body_for: Types whose commits need a body (default fix, feat).
    """

    kind = "git-messages"
    runs_learner_code = False

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.rules = Rules(
            types=parsed.text_list("types", list(CONVENTIONAL_TYPES)),
            subject_length=parsed.integer("subject_length", 50, minimum=10),
            body_width=parsed.integer("body_width", 72, minimum=20),
            body_for=parsed.text_list("body_for", ["fix", "feat"]),
        )
        parsed.finish()

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "commit messages (git)"

    def run(self, context: CheckContext) -> CheckResult:
        """Commit the messages, read them back, and judge each."""
        plan = read_plan(context.answer.source)
        findings = plan_findings(plan, context)
        if not plan.commits:
            return CheckResult(0.0, (*findings, no_commits(context)))
        try:
            stored = self._stored(context, plan.commits)
        except GitError as error:
            return CheckResult(0.0, (git_broken(self.label, error),))
        scores: list[float] = []
        for number, (commit, message) in enumerate(
            zip(plan.commits, stored, strict=True), start=1
        ):
            if message is None:
                findings.append(
                    make_finding(
                        "git.message-empty",
                        context.answer.at(commit.line),
                        number=number,
                    )
                )
                scores.append(0.0)
                continue
            problems, applicable = message_problems(message, self.rules)
            findings += [_finding(number, commit, p, context.answer) for p in problems]
            scores.append(1 - len(problems) / applicable)
        return CheckResult(sum(scores) / len(scores), tuple(findings))

    @staticmethod
    def _stored(
        context: CheckContext, commits: Sequence[PlannedCommit]
    ) -> list[str | None]:
        """Commit each message to an empty repository; read back what git stored."""
        git = Git(context.workdir / "messages" / "repo", context.workdir / "messages")
        git.init()
        made = [git.commit(c.message, allow_empty=True).code == 0 for c in commits]
        messages: list[str] = []
        if any(made):
            out = git.must("log", "--reverse", "-z", "--format=%B")
            messages = [text.rstrip("\n") for text in out.split("\0")]
        stored = iter(messages)
        return [next(stored) if ok else None for ok in made]


def plan_findings(plan: Plan, context: CheckContext) -> list[Finding]:
    """Say what of the plan the grader cannot read without running it.

    Args:
        plan: The plan as read.
        context: The check's context.

    Returns:
        One finding per problem.
    """
    return [
        make_finding("git.plan-unreadable", context.answer.at(line), what=what)
        for line, what in plan.problems
    ]


def no_commits(context: CheckContext) -> Finding:
    """Say that the plan holds no commit the grader can read.

    Args:
        context: The check's context.

    Returns:
        The finding.
    """
    return make_finding("git.no-commits", context.answer.at(None))


def git_broken(label: str, error: GitError) -> Finding:
    """Report a git failure of the set-up: a fault of the course.

    Args:
        label: The check's label.
        error: What failed.

    Returns:
        A ``checks.error`` finding.
    """
    reason = f"git failed ({error.stderr.strip()[:200] or 'no message'})"
    return make_finding("checks.error", check=label, reason=reason)
