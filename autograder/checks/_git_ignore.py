"""Ignore rules, asked of real git: ``git check-ignore``.

The ``git-ignore`` check writes the learner's ``GITIGNORE`` as the
``.gitignore`` of an empty scratch repository, creates the files the graded
cell names, and asks git which of them it ignores
(``git check-ignore --verbose --non-matching``). Its material is two lists
in the graded cell's body (read as the security checks read theirs: see
:mod:`autograder.checks._security`), public above the hidden-tests marker and
extended below it::

    IGNORED = [
        ".env",  # the secrets file
    ]
    KEPT = [
        ".env.example",  # the template of .env, which belongs in git
    ]

Every path of ``IGNORED`` must be ignored and no path of ``KEPT`` may be.
The comment after a path names its kind; the score is the share of kinds
whose every path is right, and a hidden path is named only by its kind. No
learner code runs: the rules are read from the answer's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.checks._base import (
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._git import Git, GitError
from autograder.checks._git_messages import git_broken, plan_findings
from autograder.checks._git_plan import read_plan
from autograder.checks._security import Case, by_kind, malformed, read_cases
from autograder.feedback import Finding, make_finding

LISTS = {"IGNORED": "files git must ignore", "KEPT": "files that belong in git"}


@register_check
class GitIgnoreCheck(Check):
    """Ask real git which of the cell's paths the learner's ``.gitignore`` ignores.

    Options:
        None: the paths are the graded cell's ``IGNORED`` and ``KEPT`` lists.
    """

    kind = "git-ignore"
    runs_learner_code = False

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options (there are none)."""
        Options(self.kind, options).finish()

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "ignore rules (git check-ignore)"

    def run(self, context: CheckContext) -> CheckResult:
        """Write the rules, create the files, and ask git about each."""
        try:
            cases = read_cases(context.tests, LISTS)
        except ValueError as error:
            return malformed(self.label, error)
        everything = [*cases["IGNORED"], *cases["KEPT"]]
        if not everything or any(not isinstance(c.value, str) for c in everything):
            return malformed(self.label, ValueError("IGNORED and KEPT must list paths"))
        plan = read_plan(context.answer.source)
        findings = [
            finding
            for finding in plan_findings(plan, context)
            if "`GITIGNORE`" in finding.message
        ]
        if plan.gitignore is None:
            where = context.answer.at(plan.gitignore_line)
            return CheckResult(
                0.0, (*findings, make_finding("git.no-gitignore", where))
            )
        try:
            matches = self._ask(context, plan.gitignore, [c.value for c in everything])
        except GitError as error:
            return CheckResult(0.0, (git_broken(self.label, error),))
        where = context.answer.at(plan.gitignore_line)
        wrong: list[Case] = []
        for case in everything:
            source, pattern = matches.get(case.value, ("", ""))
            ignored = bool(pattern) and not pattern.startswith("!")
            should = case in cases["IGNORED"]
            if ignored == should:
                continue
            wrong.append(case)
            findings.append(_wrong(case, should, source, pattern, where))
        kinds = by_kind(everything)
        right = [kind for kind, group in kinds.items() if not set(group) & set(wrong)]
        return CheckResult(len(right) / len(kinds), tuple(findings))

    @staticmethod
    def _ask(
        context: CheckContext, gitignore: str, paths: list[str]
    ) -> dict[str, tuple[str, str]]:
        """Ask git which pattern, if any, decides each path."""
        git = Git(context.workdir / "ignore" / "repo", context.workdir / "ignore")
        git.init()
        (git.repo / ".gitignore").write_text(gitignore, encoding="utf-8")
        for path in paths:
            target = git.repo / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch()
        outcome = git.run(
            "check-ignore", "--verbose", "--non-matching", "-z", "--stdin",
            stdin="\0".join(paths) + "\0",
        )  # fmt: skip
        if outcome.code not in {0, 1}:
            raise GitError(["check-ignore"], outcome.err)
        fields = outcome.out.split("\0")
        found: dict[str, tuple[str, str]] = {}
        for start in range(0, len(fields) - 3, 4):
            source, line, pattern, path = fields[start : start + 4]
            found[path] = (f"line {line}" if source else "", pattern)
        return found


def _wrong(case: Case, should: bool, source: str, pattern: str, where: Any) -> Finding:
    """Describe a path git treats the wrong way."""
    if should:
        return make_finding(
            "git.not-ignored",
            where,
            case=case.shown("path"),
            kind=case.kind,
            negated=f" (un-ignored by `{pattern}` at {source})" if pattern else "",
        )
    return make_finding(
        "git.wrongly-ignored",
        where,
        case=case.shown("path"),
        kind=case.kind,
        pattern=pattern,
        source=source,
    )
