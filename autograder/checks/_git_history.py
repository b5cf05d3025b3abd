"""A history of atomic commits, made and inspected with real git.

The ``git-history`` check builds the exercise's scratch repository with
real git (:class:`autograder.checks._git.Lab`): a first commit, then a mixed
change in the working tree — several concerns, one file mixing two of them
hunk by hunk, a ``.env`` with a secret, and junk (bytecode, logs). It writes
the learner's ``GITIGNORE`` as ``.gitignore`` and carries out ``COMMITS``
(:func:`autograder.checks._git.replay`): ``git add`` for a path, the index
written hunk by hunk for ``path#N``, then ``git commit``. Then it reads the
real history back (``git rev-list``, ``git show --name-only``, ``git show
commit:path``, ``git log -S``, ``git status --porcelain``) and judges:

one concern per commit (45 %)
    Each commit's concerns come from the paths it touches and, for a file
    that mixes concerns, from which of its hunks it adds. The share is the
    number of commits holding exactly one concern over the number of
    commits or of concerns, whichever is larger (so one big commit of four
    concerns earns nothing, and neither does one clean commit of four).
the type says the concern (15 %)
    Of those single-concern commits, the share whose conventional type is
    one the concern allows (``fix`` for the bug fix, ``style`` for
    formatting ...), over the same denominator.
a clean tree (10 %)
    ``git status`` shows nothing afterwards: every change is committed or
    ignored — the ``.gitignore`` itself committed too.
nothing forbidden (30 %)
    No commit adds a forbidden path (``.env``, logs, bytecode) and no commit
    holds a declared secret text (``git log -S``). Lost entirely by one.

No learner code runs: the plan is read from the answer's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from autograder.checks._base import (
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._git import (
    GitError,
    Lab,
    Replay,
    Scenario,
    recorded,
    replay,
)
from autograder.checks._git_messages import (
    commit_type,
    git_broken,
    no_commits,
    plan_findings,
)
from autograder.checks._git_plan import PlannedCommit, read_plan
from autograder.feedback import Finding, make_finding

SCENARIO_KEYS = ("base", "change", "concerns", "forbidden", "secrets")
ATOMIC, TYPED, CLEAN, SAFE = 0.45, 0.15, 0.1, 0.3
MAX_LISTED = 6


@dataclass(frozen=True)
class Made:
    """One commit of the replayed history.

    Attributes:
        number: 1-based number of the planned commit it came from.
        plan: The planned commit.
        sha: Its id.
        subject: Its subject line, as git stored it.
        kind: Its conventional type, if its subject has one.
        concerns: The concerns it holds, with the paths of each.
        forbidden: Forbidden paths it adds.
    """

    number: int
    plan: PlannedCommit
    sha: str
    subject: str
    kind: str | None
    concerns: dict[str, list[str]]
    forbidden: list[str]


def _listed(items: list[str]) -> str:
    shown = ", ".join(f"`{item}`" for item in items[:MAX_LISTED])
    more = len(items) - MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


@register_check
class GitHistoryCheck(Check):
    """Carry out the learner's commits with real git and inspect the history.

    Options:
        base: Table path → text of the files in the first commit.
        change: Table path → text of the files the mixed change adds or
            edits (junk and secrets included).
        concerns: Table path (or ``path#N`` for hunk N) → concern name.
        types: Table concern → the conventional types its commit may have.
        forbidden: Path patterns that must never be committed.
        secrets: Texts that must never be committed.
    """

    kind = "git-history"
    runs_learner_code = False

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the scenario and the concern types."""
        self.scenario = Scenario.from_options(options)
        types = options.get("types", {})
        if not isinstance(types, Mapping) or not all(
            isinstance(v, list) and all(isinstance(t, str) for t in v)
            for v in types.values()
        ):
            raise ValueError("git-history option 'types' must map concerns to lists")
        missing = set(self.scenario.concerns()) - set(types)
        if missing:
            raise ValueError(f"git-history: no types for {sorted(missing)}")
        self.types: dict[str, tuple[str, ...]] = {
            concern: tuple(allowed) for concern, allowed in types.items()
        }
        rest = {k: v for k, v in options.items() if k not in {*SCENARIO_KEYS, "types"}}
        Options(self.kind, rest).finish()

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "history (git)"

    def run(self, context: CheckContext) -> CheckResult:
        """Build the repository, replay the plan, and judge the history."""
        plan = read_plan(context.answer.source)
        findings = plan_findings(plan, context)
        if not plan.commits:
            return CheckResult(0.0, (*findings, no_commits(context)))
        try:
            lab = Lab.build(context.workdir / "history", self.scenario, plan.gitignore)
            done = replay(lab, plan.commits)
            made = self._read(lab, done)
            dirty = lab.git.must("status", "--porcelain", "--untracked-files=all")
            leaked = self._leaks(lab, made, context)
        except GitError as error:
            return CheckResult(0.0, (git_broken(self.label, error),))
        findings += [
            make_finding(
                "git.refused",
                context.answer.at(note.line),
                number=note.commit,
                what=note.what,
            )
            for note in done.notes
        ]
        if not made:
            return CheckResult(0.0, (*findings, no_commits(context)))
        atomic, typed, judged = self._judge(made, context)
        findings += judged
        clean = 0.0 if dirty.strip() else 1.0
        if dirty.strip():
            entries = [line[3:] for line in dirty.splitlines() if line.strip()]
            findings.append(
                make_finding(
                    "git.dirty-tree", context.answer.at(None), entries=_listed(entries)
                )
            )
        findings += leaked
        safe = 0.0 if leaked else 1.0
        fraction = ATOMIC * atomic + TYPED * typed + CLEAN * clean + SAFE * safe
        return CheckResult(fraction, tuple(findings))

    def _read(self, lab: Lab, done: Replay) -> list[Made]:
        """Read each new commit back: its subject, type, concerns, forbidden paths."""
        order = {name: index for index, name in enumerate(self.scenario.concerns())}
        made: list[Made] = []
        for commit, (number, plan) in zip(recorded(lab), done.made, strict=True):
            concerns: dict[str, list[str]] = {}
            forbidden: list[str] = []
            for path, old, new in commit.changes:
                if self.scenario.is_forbidden(path):
                    forbidden.append(path)
                    continue
                for concern in self._concerns(lab, path, old, new):
                    concerns.setdefault(concern, []).append(path)
            made.append(
                Made(
                    number=number,
                    plan=plan,
                    sha=commit.sha,
                    subject=commit.message.split("\n", 1)[0],
                    kind=commit_type(commit.message),
                    concerns=dict(
                        sorted(concerns.items(), key=lambda c: order.get(c[0], 99))
                    ),
                    forbidden=forbidden,
                )
            )
        return made

    def _concerns(self, lab: Lab, path: str, old: str, new: str) -> list[str]:
        """Name the concerns a commit's change to one path belongs to."""
        concern_of = self.scenario.concern_of
        if path not in lab.hunks:
            return [concern_of.get(path, "an unexpected change")]
        before = lab.hunks_of(path, old) or frozenset()
        after = lab.hunks_of(path, new)
        numbers = (
            {hunk.number for hunk in lab.hunks[path]}
            if after is None
            else after - before
        )
        return sorted({concern_of[f"{path}#{number}"] for number in numbers})

    def _judge(
        self, made: list[Made], context: CheckContext
    ) -> tuple[float, float, list[Finding]]:
        """Score one concern per commit, and types that say the concern."""
        findings: list[Finding] = []
        single = typed = 0
        for commit in made:
            where = context.answer.at(commit.plan.line)
            if len(commit.concerns) != 1:
                if commit.concerns:
                    parts = [
                        f"the {concern} ({_listed(paths)})"
                        for concern, paths in commit.concerns.items()
                    ]
                    findings.append(
                        make_finding(
                            "git.mixed-commit",
                            where,
                            number=commit.number,
                            subject=commit.subject,
                            concerns="; ".join(parts),
                        )
                    )
                continue
            single += 1
            [concern] = commit.concerns
            allowed = self.types[concern]
            if commit.kind in allowed:
                typed += 1
                continue
            findings.append(
                make_finding(
                    "git.wrong-type",
                    where,
                    number=commit.number,
                    subject=commit.subject,
                    concern=concern,
                    kind=f"`{commit.kind}`" if commit.kind else "no type",
                    expected=" or ".join(f"`{t}`" for t in allowed),
                )
            )
        denominator = max(len(made), len(self.scenario.concerns()))
        return single / denominator, typed / denominator, findings

    def _leaks(
        self, lab: Lab, made: list[Made], context: CheckContext
    ) -> list[Finding]:
        """Find forbidden paths and secret texts in the new history."""
        findings: list[Finding] = []
        by_sha = {commit.sha: commit for commit in made}
        for commit in made:
            if commit.forbidden:
                findings.append(
                    make_finding(
                        "git.forbidden-committed",
                        context.answer.at(commit.plan.line),
                        number=commit.number,
                        subject=commit.subject,
                        paths=_listed(commit.forbidden),
                    )
                )
        for secret in self.scenario.secrets:
            shas = lab.git.must(
                "log", "--format=%H", "-S", secret, f"{lab.base_commit}..HEAD"
            ).split()
            for sha in shas:
                commit = by_sha[sha]
                findings.append(
                    make_finding(
                        "git.secret-committed",
                        context.answer.at(commit.plan.line),
                        number=commit.number,
                        subject=commit.subject,
                    )
                )
        return findings
