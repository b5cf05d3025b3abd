"""Real git for the version-control checks: a safe runner, a scenario, a plan.

The ``git-history``, ``git-ignore`` and ``git-messages`` checks grade a
learner's *plan* — the ignore rules and the commits they would make — by
carrying it out with the real ``git`` in a scratch repository and reading
back what git recorded. This module holds what they share, and what the
exercise notebook uses to give the learner the same repository to look at:

:class:`Git`
    Runs ``git`` with a configuration of its own: no system or user
    configuration, no hooks, no signing, fixed names and dates, ``main`` as
    the first branch — so the same plan gives the same history anywhere.
:class:`Scenario`
    The exercise's repository: the files of the first commit (``base``), the
    files of the working tree after the mixed change (``change``), which
    concern each changed file — or each hunk of a file that mixes two — belongs
    to, and the paths and texts that must never be committed.
:class:`~autograder.checks._git_plan.Plan`
    The learner's answer: ``GITIGNORE`` and ``COMMITS``, read from the
    answer's *text* without running it (:mod:`autograder.checks._git_plan`),
    so that grading is the same in every sandbox.
:func:`replay`
    Writes the ignore rules and makes the commits: each change is staged
    with ``git add`` (a path), or, for ``path#N``, by writing the file as the
    base plus the hunks staged so far into the index (``git hash-object``,
    ``git update-index``) — what ``git add -p`` does; then ``git commit``.
    What git refuses becomes a note for the feedback.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

from autograder._errors import AutograderError
from autograder.checks._git_plan import ENTRY, PlannedCommit, plan_from_values

logger = logging.getLogger(__name__)

AUTHOR = ("Ada Learner", "ada@example.com")
"""Who makes every commit of a scratch repository."""

START = 1714986000
"""The first commit's time (2024-05-06 09:00 UTC); each later one is a minute on."""

BRANCH = "main"
BASE_MESSAGE = "chore: start the shop\n"
"""The first commit's message; only the commits after it are judged."""

GIT_TIMEOUT = 20
"""Seconds one git command may take."""

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class GitError(AutograderError):
    """A git command the checks rely on failed: a fault of the set-up, not the plan.

    Attributes:
        command: The git arguments.
        stderr: What git said.
    """

    def __init__(self, command: Sequence[str], stderr: str) -> None:
        """Build the error.

        Args:
            command: The git arguments.
            stderr: What git said.
        """
        self.command = tuple(command)
        self.stderr = stderr
        super().__init__(f"git {' '.join(command)} failed: {stderr.strip()}")


@dataclass(frozen=True)
class Outcome:
    """What one git command did.

    Attributes:
        code: Its exit status.
        out: Its standard output.
        err: Its standard error.
    """

    code: int
    out: str
    err: str

    @property
    def said(self) -> str:
        """The first line git wrote to stderr (or stdout), for a message."""
        for text in (self.err, self.out):
            for raw in text.splitlines():
                line = raw.strip().removeprefix("fatal: ").removeprefix("error: ")
                if line and not line.startswith("hint:"):
                    return line
        return f"exit status {self.code}"


def git_path() -> str | None:
    """Find the git program.

    Returns:
        Its path, or ``None`` when git is not installed.
    """
    return shutil.which("git")


class Git:
    """Run git in one repository, deterministically and without side effects.

    Args:
        repo: The repository's folder (created if needed).
        private: A folder of the runner's own for an empty configuration
            file and an empty hooks folder (created if needed).

    Raises:
        GitError: git is not installed.
    """

    def __init__(self, repo: Path, private: Path) -> None:
        """Prepare the environment every command gets."""
        program = git_path()
        if program is None:
            raise GitError(["--version"], "git is not installed (not on PATH)")
        self.program = program
        self.repo = repo
        repo.mkdir(parents=True, exist_ok=True)
        hooks = private / "hooks"
        hooks.mkdir(parents=True, exist_ok=True)
        config = private / "gitconfig"
        config.touch()
        self.config = (
            f"core.hooksPath={hooks}",
            "commit.gpgsign=false",
            "tag.gpgsign=false",
            f"init.defaultBranch={BRANCH}",
            "core.autocrlf=false",
            "core.fsmonitor=false",
            "core.quotePath=false",
            "core.pager=cat",
            "gc.auto=0",
            "diff.noprefix=false",
            "diff.renames=false",
            "diff.algorithm=myers",
            "advice.detachedHead=false",
        )
        self.env = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": str(private),
            "LC_ALL": "C",
            "LANG": "C",
            "TZ": "UTC",
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": str(config),
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_AUTHOR_NAME": AUTHOR[0],
            "GIT_AUTHOR_EMAIL": AUTHOR[1],
            "GIT_COMMITTER_NAME": AUTHOR[0],
            "GIT_COMMITTER_EMAIL": AUTHOR[1],
        }
        self.commits = 0

    def run(self, *args: str, stdin: str | None = None) -> Outcome:
        """Run one git command in the repository.

        Args:
            *args: Its arguments, after ``git``.
            stdin: Text for its standard input.

        Returns:
            What it did; a non-zero status is not an error here.
        """
        when = f"@{START + 60 * self.commits} +0000"
        env = {**self.env, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        options = [item for pair in self.config for item in ("-c", pair)]
        done = subprocess.run(
            [self.program, *options, *args],
            cwd=self.repo,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=GIT_TIMEOUT,
            check=False,
        )
        return Outcome(done.returncode, done.stdout, done.stderr)

    def must(self, *args: str, stdin: str | None = None) -> str:
        """Run a git command that must succeed.

        Args:
            *args: Its arguments, after ``git``.
            stdin: Text for its standard input.

        Returns:
            Its standard output.

        Raises:
            GitError: It failed.
        """
        outcome = self.run(*args, stdin=stdin)
        if outcome.code != 0:
            raise GitError(args, outcome.err or outcome.out)
        return outcome.out

    def commit(self, message: str, *, allow_empty: bool = False) -> Outcome:
        """Commit what is staged, with a message given as is (``-F -``).

        Args:
            message: The full message.
            allow_empty: Commit even when nothing is staged.

        Returns:
            What ``git commit`` did.
        """
        extra = ["--allow-empty"] if allow_empty else []
        outcome = self.run(
            "commit", "-q", "--no-verify", *extra, "-F", "-", stdin=message
        )
        if outcome.code == 0:
            self.commits += 1
        return outcome

    def init(self) -> None:
        """Create an empty repository.

        Raises:
            GitError: git cannot create it.
        """
        self.must("init", "-q")


# --- The scenario -------------------------------------------------------------


@dataclass(frozen=True)
class Hunk:
    """One hunk of a file's change, as ``git diff`` shows it.

    Attributes:
        number: 1-based, in the order ``git diff`` and ``git add -p`` show them.
        start: First line of the base it replaces (1-based; for a pure
            insertion, the line after which it goes, plus one).
        removed: How many base lines it replaces.
        added: The lines it puts there.
        text: The hunk as ``git diff`` printed it.
    """

    number: int
    start: int
    removed: int
    added: tuple[str, ...]
    text: str


def parse_hunks(diff: str) -> list[Hunk]:
    """Read the hunks of a one-file unified diff.

    Args:
        diff: ``git diff`` output for one file.

    Returns:
        Its hunks, numbered from 1.
    """
    hunks: list[Hunk] = []
    current: list[str] | None = None
    header: re.Match[str] | None = None

    def close() -> None:
        if current is None or header is None:
            return
        old_start, old_count = int(header[1]), int(header[2] or "1")
        added = tuple(line[1:] for line in current[1:] if line[:1] in {" ", "+"})
        start = old_start if old_count else old_start + 1
        hunks.append(
            Hunk(len(hunks) + 1, start, old_count, added, "\n".join(current) + "\n")
        )

    for line in diff.splitlines():
        match = HUNK.match(line)
        if match:
            close()
            current, header = [line], match
        elif current is not None and line[:1] in {" ", "+", "-", "\\"}:
            current.append(line)
    close()
    return hunks


def apply_hunks(base: str, hunks: Iterable[Hunk]) -> str:
    """Apply some of a file's hunks to its base text.

    Args:
        base: The file at the first commit.
        hunks: The hunks to apply (any subset, in any order).

    Returns:
        The text with those hunks applied and the others not.
    """
    lines = base.splitlines()
    for hunk in sorted(hunks, key=lambda h: h.start, reverse=True):
        first = hunk.start - 1
        lines[first : first + hunk.removed] = hunk.added
    return "\n".join(lines) + ("\n" if lines else "")


def _texts(raw: Mapping[str, Any], key: str) -> dict[str, str]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError(f"git scenario option {key!r} must map paths to texts")
    return dict(value)


@dataclass(frozen=True)
class Scenario:
    """The repository an exercise starts from, and what belongs to which concern.

    Attributes:
        base: Text of each file in the first commit, by path.
        change: Text of each file the mixed change adds or edits, by path
            (the learner's ``.gitignore`` is added to these).
        concern_of: The concern of each changed path, or of ``path#N`` for
            the hunks of a file that mixes concerns.
        forbidden: Patterns of paths that must never be committed (a
            pattern ending in ``/`` names a folder anywhere in the tree; one
            with a ``/`` elsewhere matches the whole path; else the file name).
        secrets: Texts that must never reach any commit.
    """

    base: dict[str, str]
    change: dict[str, str]
    concern_of: dict[str, str]
    forbidden: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()

    @classmethod
    def from_options(cls, raw: Mapping[str, Any]) -> Scenario:
        """Read a scenario from a check's declared options.

        Args:
            raw: The options: tables ``base``, ``change`` and ``concerns``
                (path or ``path#N`` → concern), lists ``forbidden`` and
                ``secrets``.

        Returns:
            The scenario.

        Raises:
            ValueError: The declaration is incomplete or inconsistent.
        """
        lists = {}
        for key in ("forbidden", "secrets"):
            value = raw.get(key, [])
            if not isinstance(value, list) or not all(
                isinstance(v, str) for v in value
            ):
                raise ValueError(f"git scenario option {key!r} must list strings")
            lists[key] = tuple(value)
        scenario = cls(
            base=_texts(raw, "base"),
            change=_texts(raw, "change"),
            concern_of=_texts(raw, "concerns"),
            forbidden=lists["forbidden"],
            secrets=lists["secrets"],
        )
        if not scenario.change:
            raise ValueError("a git scenario needs a change")
        for path in scenario.change:
            split = any(key.startswith(f"{path}#") for key in scenario.concern_of)
            if (
                not split
                and path not in scenario.concern_of
                and not (scenario.is_forbidden(path))
            ):
                raise ValueError(f"git scenario: {path!r} has no concern")
        return scenario

    def is_forbidden(self, path: str) -> bool:
        """Tell whether a path must never be committed.

        Args:
            path: A path in the repository, with ``/`` separators.

        Returns:
            True when a forbidden pattern matches it.
        """
        parts = path.split("/")
        for pattern in self.forbidden:
            if pattern.endswith("/"):
                if pattern.rstrip("/") in parts[:-1]:
                    return True
            elif "/" in pattern:
                if Path(path).match(pattern):
                    return True
            elif Path(parts[-1]).match(pattern):
                return True
        return False

    def split_paths(self) -> set[str]:
        """Name the files whose hunks belong to different concerns.

        Returns:
            Their paths.
        """
        return {
            match["path"]
            for key in self.concern_of
            if (match := ENTRY.match(key)) is not None
        }

    def concerns(self) -> list[str]:
        """List the concerns, in the order they are declared.

        Returns:
            Each concern once.
        """
        return list(dict.fromkeys(self.concern_of.values()))


def scenario_from_exercise(path: Path, kind: str = "git-history") -> Scenario:
    """Find the scenario an exercise declares, for the learner's own scratch copy.

    Args:
        path: The exercise's ``exercise.toml``.
        kind: The check kind that declares it.

    Returns:
        The scenario of the first such check.

    Raises:
        ValueError: The exercise declares no such check.
    """
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for cell in data.get("cells", {}).values():
        for check in cell.get("checks", []):
            if check.get("kind") == kind:
                return Scenario.from_options(check)
    raise ValueError(f"{path} declares no {kind} check")


# --- Building and replaying ---------------------------------------------------


def _write(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")


@dataclass
class Lab:
    """A scratch repository holding a scenario's mixed change.

    Attributes:
        git: The runner, in the repository.
        scenario: The scenario.
        base_commit: The first commit's id.
        hunks: The hunks of each file that mixes concerns.
        versions: For each such file, the blob id of every combination of
            its hunks applied to the base, and the hunks it holds.
        staged: The hunks of each such file in the index (``None``: unknown
            since a ``git add`` that may have staged more).
    """

    git: Git
    scenario: Scenario
    base_commit: str
    hunks: dict[str, list[Hunk]]
    versions: dict[str, dict[str, frozenset[int]]]
    staged: dict[str, frozenset[int] | None]

    @classmethod
    def build(cls, folder: Path, scenario: Scenario, gitignore: str | None) -> Lab:
        """Create the repository: the base committed, the change in the tree.

        Args:
            folder: An empty or missing folder for the repository.
            scenario: What to put in it.
            gitignore: The learner's ignore rules, written as ``.gitignore``
                (``None``: no such file).

        Returns:
            The lab.

        Raises:
            GitError: git is missing or fails.
        """
        git = Git(folder / "repo", folder / "git-home")
        git.init()
        _write(git.repo, scenario.base)
        git.must("add", "-A")
        outcome = git.commit(BASE_MESSAGE)
        if outcome.code != 0:
            raise GitError(["commit"], outcome.err)
        base_commit = git.must("rev-parse", "HEAD").strip()
        _write(git.repo, scenario.change)
        hunks = {
            path: parse_hunks(git.must("diff", "--no-color", "-U3", "--", path))
            for path in sorted(scenario.split_paths())
        }
        if gitignore is not None:
            _write(git.repo, {".gitignore": gitignore})
        versions = {
            path: {
                blob_id(apply_hunks(scenario.base.get(path, ""), chosen)): frozenset(
                    hunk.number for hunk in chosen
                )
                for size in range(len(found) + 1)
                for chosen in combinations(found, size)
            }
            for path, found in hunks.items()
        }
        staged: dict[str, frozenset[int] | None] = dict.fromkeys(hunks, frozenset())
        return cls(git, scenario, base_commit, hunks, versions, staged)

    def base_text(self, path: str) -> str:
        """Give a file's text at the first commit.

        Args:
            path: The file.

        Returns:
            Its text, empty if it did not exist.
        """
        return self.scenario.base.get(path, "")

    def hunks_of(self, path: str, blob: str) -> frozenset[int] | None:
        """Tell which hunks of a split file one version of it holds.

        Args:
            path: A file that mixes concerns.
            blob: The version's blob id (all zeros: the file is absent).

        Returns:
            The hunk numbers, or ``None`` when no combination gives it.
        """
        if set(blob) == {"0"} and path not in self.scenario.base:
            return frozenset()
        return self.versions.get(path, {}).get(blob)


def blob_id(text: str) -> str:
    """Compute the id git gives a text as a blob (SHA-1 object format).

    Args:
        text: The file's text.

    Returns:
        The 40-digit id ``git hash-object`` would print.
    """
    data = text.encode("utf-8")
    header = f"blob {len(data)}\0".encode()
    return hashlib.sha1(header + data, usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Note:
    """Something git refused while the plan was carried out.

    Attributes:
        commit: 1-based number of the planned commit.
        line: The line of the answer that starts the commit, if known.
        what: What was refused and why, in git's words.
    """

    commit: int
    line: int | None
    what: str


def _stage(lab: Lab, entry: str) -> str | None:
    """Stage one change of a commit; say what git refused, if it did."""
    match = ENTRY.match(entry)
    if match is None:
        outcome = lab.git.run("add", "--", entry)
        lab.staged = dict.fromkeys(lab.hunks)  # it may have staged a split file
        return None if outcome.code == 0 else f"`git add {entry}`: {outcome.said}"
    path, number = match["path"], int(match["hunk"])
    hunks = lab.hunks.get(path)
    if hunks is None:
        split = ", ".join(f"`{name}`" for name in lab.hunks) or "none"
        return f"`{entry}` names a hunk, but `{path}` is not split (split: {split})"
    if not 1 <= number <= len(hunks):
        return f"`{path}` has hunks 1 to {len(hunks)}, not {number}"
    staged = lab.staged.get(path)
    if staged is None:
        listed = lab.git.must("ls-files", "--stage", "--", path).split()
        staged = lab.hunks_of(path, listed[1]) if len(listed) > 1 else None
    chosen = (staged or frozenset()) | {number}
    text = apply_hunks(lab.base_text(path), [h for h in hunks if h.number in chosen])
    blob = lab.git.must("hash-object", "-w", "--stdin", stdin=text).strip()
    lab.git.must("update-index", "--add", "--cacheinfo", f"100644,{blob},{path}")
    lab.staged[path] = chosen
    return None


NOTHING_STAGED = ("nothing to commit", "nothing added to commit", "no changes added")
"""What ``git commit`` says when the index holds nothing new."""


@dataclass(frozen=True)
class Replay:
    """What carrying out a plan did.

    Attributes:
        notes: What git refused.
        made: For each commit git made, in order, the 1-based number of the
            planned commit it came from, and that commit.
    """

    notes: tuple[Note, ...]
    made: tuple[tuple[int, PlannedCommit], ...]


def replay(lab: Lab, commits: Sequence[PlannedCommit]) -> Replay:
    """Carry out the planned commits in the lab's repository.

    Args:
        lab: The repository, with the change in its working tree.
        commits: The commits to make, in order.

    Returns:
        What git refused, and which planned commits became commits.
    """
    notes: list[Note] = []
    made: list[tuple[int, PlannedCommit]] = []
    for number, commit in enumerate(commits, start=1):
        for entry in commit.changes:
            refused = _stage(lab, entry)
            if refused is not None:
                notes.append(Note(number, commit.line, refused))
        outcome = lab.git.commit(commit.message)
        if outcome.code == 0:
            made.append((number, commit))
        elif any(text in outcome.out + outcome.err for text in NOTHING_STAGED):
            nothing = "it stages nothing new, so git makes no commit"
            notes.append(Note(number, commit.line, nothing))
        else:
            said = f"`git commit` refused: {outcome.said}"
            notes.append(Note(number, commit.line, said))
            lab.git.run("reset", "-q")
            lab.staged = dict.fromkeys(lab.hunks)
    return Replay(tuple(notes), tuple(made))


@dataclass(frozen=True)
class Recorded:
    """One commit as git recorded it.

    Attributes:
        sha: Its id.
        message: Its full message.
        changes: Each path it adds, changes or deletes, with the blob ids
            before and after (all zeros where the file is absent).
    """

    sha: str
    message: str
    changes: tuple[tuple[str, str, str], ...]


def recorded(lab: Lab) -> list[Recorded]:
    """Read the commits made after the first one, oldest first, in one ``git log``.

    Args:
        lab: The repository.

    Returns:
        Each commit with its message and changed paths.
    """
    out = lab.git.must(
        "log", "--reverse", "-z", "--raw", "--no-abbrev", "--no-renames",
        "--format=%x01%H%x02%B%x03", f"{lab.base_commit}..HEAD",
    )  # fmt: skip
    commits: list[Recorded] = []
    for chunk in out.split("\x01")[1:]:
        sha, rest = chunk.split("\x02", 1)
        message, raw = rest.split("\x03", 1)
        fields = [field.strip("\n") for field in raw.split("\0")]
        changes: list[tuple[str, str, str]] = []
        for meta, path in pairwise(fields):
            if meta.startswith(":"):
                _, _, old, new, _ = meta[1:].split()
                changes.append((path, old, new))
        commits.append(Recorded(sha, message.rstrip("\n"), tuple(changes)))
    return commits


# --- For the learner's notebook -----------------------------------------------

SCRATCH = "scratch-repo"
"""The folder, next to the exercise notebook, that holds the learner's copy."""


def _fresh(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


def scratch_repository(
    exercise: Path = Path("exercise.toml"), folder: Path = Path(SCRATCH)
) -> Lab:
    """Make the exercise's scratch repository in a folder, afresh.

    Args:
        exercise: The exercise's declaration.
        folder: Where to make it (emptied first). The repository is
            ``folder/repo``.

    Returns:
        The lab, with the mixed change in its working tree.
    """
    _fresh(folder)
    return Lab.build(folder, scenario_from_exercise(exercise), None)


def show_change(lab: Lab) -> str:
    """Describe the mixed change as a learner sees it in a terminal.

    Args:
        lab: The scratch repository.

    Returns:
        ``git status --short`` and the numbered hunks of every mixed file.
    """
    parts = [
        "$ git status --short --untracked-files=all",
        lab.git.must("status", "--short", "--untracked-files=all"),
    ]
    for path, hunks in lab.hunks.items():
        for hunk in hunks:
            parts.append(f"--- {path}#{hunk.number} ---")
            parts.append(hunk.text)
    return "\n".join(parts)


def try_plan(
    gitignore: object,
    commits: Iterable[object],
    exercise: Path = Path("exercise.toml"),
    folder: Path = Path(SCRATCH),
) -> str:
    """Carry out a plan in a fresh scratch repository and show the history.

    Args:
        gitignore: The ``.gitignore`` text.
        commits: The planned commits.
        exercise: The exercise's declaration.
        folder: Where to make the repository (emptied first).

    Returns:
        What git refused, ``git log --stat`` of the new commits and
        ``git status --short``.
    """
    plan = plan_from_values(gitignore, commits)
    _fresh(folder)
    lab = Lab.build(folder, scenario_from_exercise(exercise), plan.gitignore)
    done = replay(lab, plan.commits)
    lines = [f"problem: {what}" for _, what in plan.problems]
    lines += [f"commit {note.commit}: {note.what}" for note in done.notes]
    lines.append(f"$ git log --stat {lab.base_commit[:7]}..HEAD")
    lines.append(
        lab.git.must("log", "--stat", "--format=medium", f"{lab.base_commit}..HEAD")
    )
    lines.append("$ git status --short --untracked-files=all")
    lines.append(
        lab.git.must("status", "--short", "--untracked-files=all") or "(clean)"
    )
    return "\n".join(lines)
