"""Path traversal: a file reader must stay inside its base folder.

The ``path-traversal`` check builds this layout in the scratch folder and
calls the learner's reader as ``function(base, name)``, where ``base`` is the
``files`` folder (a :class:`~pathlib.Path`)::

    <root>/
        secret.txt              outside the base
        files-private/
            secret.txt          a sibling whose name starts like the base's
        files/                  the base folder
            readme.txt
            notes/todo.txt
            notes/deep/plan.txt
            notes/café menu.txt
            link_out.txt  ->  <root>/secret.txt      (a symbolic link out)
            linkdir       ->  <root>                 (a folder link out)
            alias.txt     ->  readme.txt             (a link that stays in)

Every name is judged against where it really leads, found by
:func:`os.path.realpath` (which follows symbolic links):

- a name that leads **outside** the base must be refused with the
  contract's error (``error``, default ``ValueError``), whether or not the
  file exists; returning a file's text there is a leak;
- a **plain** name — relative, without ``..``, through no symbolic link —
  of a file inside must give that file's text;
- anything else inside (``..`` that stays in, an absolute path into the
  base, a link that stays in, a file that does not exist, encoded forms such
  as ``%2e%2e``) may be read or refused, as long as nothing outside leaks.

Ordinary names (built in, and the cell's ``READS``) are a gate: a reader
that cannot read plain files earns nothing. Attacks (built in, and the
cell's ``ATTACKS``; ``{root}`` and ``{base}`` are filled in with the absolute
folders) are scored by kind (see :mod:`autograder.checks._security`); one
more kind is a fuzz: hypothesis generates path strings — an optional
absolute prefix, a detour through the layout's names and odd parts (``.``,
empty, ``....``, ``%2e%2e``), a climb of ``..`` and an end in or out of the
base — with a fixed seed and a bounded number of examples, and the smallest
name it finds that the reader gets wrong is shown.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException, HypothesisSideeffectWarning

from autograder.checks._base import (
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._security import (
    Case,
    by_kind,
    cut,
    definition_line,
    describe_error,
    forget,
    load_functions,
    malformed,
    raised,
    read_cases,
    short,
)
from autograder.feedback import Finding, Location, make_finding

logger = logging.getLogger(__name__)

BASE = "files"
SIBLING = "files-private"
OUTSIDE = {
    "secret.txt": "SECRET: a file beside the base folder; no reader may show it.\n",
    f"{SIBLING}/secret.txt": "SECRET: a file in a sibling folder of the base.\n",
}
"""Files outside the base, relative to the root, with their text."""

INSIDE = {
    "readme.txt": "Welcome to the attachments folder.\n",
    "notes/todo.txt": "1. Keep every path inside the base folder.\n",
    "notes/deep/plan.txt": "Resolve first, then compare.\n",
    "notes/café menu.txt": "Soupe du jour.\n",
}
"""Files inside the base, relative to it, with their text."""

LINKS = {
    "link_out.txt": "{root}/secret.txt",
    "linkdir": "{root}",
    "alias.txt": "readme.txt",
}
"""Symbolic links inside the base, and what they point to."""

PARENT = "parent folders (`../`, also hidden from filters and encoded)"
ABSOLUTE = "absolute paths"
PREFIX = "a sibling folder whose name starts like the base's"
FILE_LINK = "a symbolic link to a file outside"
FOLDER_LINK = "a symbolic link to a folder outside"
FUZZ = "generated paths (hypothesis)"

BUILTIN_READS = ("readme.txt", "notes/todo.txt", "notes/deep/plan.txt", "./readme.txt")
BUILTIN_ATTACKS: tuple[tuple[str, str], ...] = (
    ("../secret.txt", PARENT),
    ("notes/../../secret.txt", PARENT),
    ("notes/deep/../../../secret.txt", PARENT),
    ("../../secret.txt", PARENT),
    ("....//secret.txt", PARENT),
    ("..././secret.txt", PARENT),
    ("..%2fsecret.txt", PARENT),
    ("%2e%2e/secret.txt", PARENT),
    ("readme.txt\x00/../../secret.txt", PARENT),
    ("{root}/secret.txt", ABSOLUTE),
    ("{base}/../secret.txt", ABSOLUTE),
    (f"../{SIBLING}/secret.txt", PREFIX),
    (f"{{root}}/{SIBLING}/secret.txt", PREFIX),
    ("link_out.txt", FILE_LINK),
    ("linkdir/secret.txt", FOLDER_LINK),
    (f"linkdir/{SIBLING}/secret.txt", FOLDER_LINK),
)
"""Attacks every reader meets, with their kinds; placeholders are filled in."""

SEGMENTS = (".", "", "notes", "deep", "readme.txt", BASE, "....", "%2e%2e", "linkdir")
"""Parts of the detour a generated path takes before it climbs."""

TAILS = (
    "secret.txt",
    f"{SIBLING}/secret.txt",
    "link_out.txt",
    "linkdir/secret.txt",
    f"linkdir/{SIBLING}/secret.txt",
    f"linkdir/{BASE}/readme.txt",
    "readme.txt",
    "notes/todo.txt",
    f"{BASE}/readme.txt",
    "alias.txt",
    "notes",
    "",
    "....//secret.txt",
    "%2e%2e/secret.txt",
)
"""Where a generated path ends, after its detour and its climb."""


class _MishandledError(Exception):
    """Raised inside the fuzz to tell hypothesis that a name was mishandled."""


@dataclass(frozen=True)
class Problem:
    """What a reader did wrong with one name.

    Attributes:
        finding_id: The catalogue id.
        outcome: What the reader did, in words.
    """

    finding_id: str
    outcome: str


class _Layout:
    """The folders and files of a run, and where a name really leads.

    Args:
        root: An empty folder to build the layout in.

    Raises:
        ValueError: The layout cannot be built (no symbolic links here).
    """

    def __init__(self, root: Path) -> None:
        """Write the files and links."""
        self.root = Path(os.path.realpath(root))
        self.base = self.root / BASE
        try:
            for relative, text in OUTSIDE.items():
                _write(self.root / relative, text)
            for relative, text in INSIDE.items():
                _write(self.base / relative, text)
            for relative, target in LINKS.items():
                (self.base / relative).symlink_to(self.fill(target))
        except OSError as error:
            raise ValueError(f"cannot build the folders: {error}") from error
        self.leaks = {text: name for name, text in OUTSIDE.items()}

    def unfill(self, name: str) -> str:
        """Show a name with the absolute folders as ``{base}`` and ``{root}``.

        Args:
            name: A name that was tried.

        Returns:
            The name as the material would write it.
        """
        names = (
            (self.base, "{base}"),
            (self.root, "{root}"),
            (self.root.parent, "{root}/.."),
        )
        for folder, shown in names:
            name = re.sub(re.escape(str(folder)) + r"(?=/|$)", shown, name)
        return name

    def fill(self, text: str) -> str:
        """Replace ``{root}`` and ``{base}`` with the absolute folders.

        Args:
            text: A name from the material.

        Returns:
            The name to try.
        """
        return text.replace("{root}", str(self.root)).replace("{base}", str(self.base))

    def leads(self, name: str) -> tuple[str, str | None]:
        """Say where a name really leads.

        Args:
            name: The name, as the reader gets it.

        Returns:
            ``("outside", None)``, ``("plain", text)`` for a plain name of a
            file inside, or ``("free", text or None)`` for anything else
            inside (with the text when it is a file).
        """
        try:
            real = os.path.realpath(os.path.join(self.base, name))
        except ValueError:  # an embedded NUL: no file has such a name
            return "free", None
        base = str(self.base)
        if real != base and not real.startswith(base + os.sep):
            return "outside", None
        text = _read(real)
        if text is not None and self._plain(name):
            return "plain", text
        return "free", text

    def _plain(self, name: str) -> bool:
        parts = PurePosixPath(name).parts
        if not parts or os.path.isabs(name) or ".." in parts:
            return False
        folder = self.base
        for part in parts:
            folder /= part
            if folder.is_symlink():
                return False
        return True


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _read(real: str) -> str | None:
    try:
        return Path(real).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


@register_check
class PathTraversalCheck(Check):
    """Call the learner's file reader with plain names and traversal attempts.

    The score: nothing unless every plain name is read; then the share of
    attack kinds fully refused, the fuzz counting as one kind. The layout
    and the rules are in this module's docstring.

    Options:
        function: The reader, called as ``function(base, name)`` (required).
        error: Names of the error classes that count as a refusal
            (default ``["ValueError"]``; subclasses count too).
        fuzz: Run the hypothesis fuzz (default true).
        examples: Names hypothesis generates (default 100).
        seed: The fuzz's seed (default 10).
    """

    kind = "path-traversal"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.function: str = parsed.text("function")
        self.error = parsed.text_list("error", ["ValueError"])
        self.fuzz = parsed.flag("fuzz", default=True)
        self.examples = parsed.integer("examples", 100, minimum=1)
        self.seed = parsed.integer("seed", 10)
        parsed.finish()
        if not self.error:
            raise ValueError("path-traversal option 'error' must name a class")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "path traversal attempts, and a hypothesis fuzz"

    def run(self, context: CheckContext) -> CheckResult:
        """Build the folders and call the reader with every name.

        Args:
            context: The answer and the graded cell, which holds more names.

        Returns:
            The share earned, and what went wrong for which name.
        """
        try:
            material = read_cases(
                context.tests,
                {"READS": "plain names", "ATTACKS": "the cell's attempts"},
            )
            root = Path(tempfile.mkdtemp(prefix="traversal-", dir=context.workdir))
            layout = _Layout(root)
        except ValueError as error:
            return malformed(self.label, error)
        functions, stop = load_functions(context.answer, [self.function])
        if stop is not None:
            return stop
        try:
            reader = _Reader(self, layout, functions[self.function], context)
            return reader.judge(material)
        finally:
            forget(context.answer)


class _Reader:
    """One run of the check: the learner's reader against the layout."""

    def __init__(
        self,
        check: PathTraversalCheck,
        layout: _Layout,
        function: Callable[..., Any],
        context: CheckContext,
    ) -> None:
        self.check = check
        self.layout = layout
        self.function = function
        self.context = context
        answer = context.answer
        self.where: Location = answer.at(definition_line(answer.source, check.function))
        self.error_text = " or ".join(f"`{name}`" for name in check.error)

    def judge(self, material: dict[str, list[Case]]) -> CheckResult:
        reads = [Case(name, "plain names") for name in BUILTIN_READS]
        reads += material["READS"]
        failures = []
        for number, case in enumerate(reads, 1):
            self.context.on_event({"test": f"{self.check.function}: read {number}"})
            finding = self._finding(case, "name")
            if finding is not None:
                failures.append(finding)
        if failures:
            return CheckResult(0.0, tuple(cut(failures, len(failures))))
        attacks = [Case(text, kind) for text, kind in BUILTIN_ATTACKS]
        attacks += material["ATTACKS"]
        kinds = by_kind(attacks)
        beaten: list[str] = []
        findings: list[Finding] = []
        number = 0
        for kind, cases in kinds.items():
            failed = False
            for case in cases:
                number += 1
                self.context.on_event(
                    {"test": f"{self.check.function}: attack {number}"}
                )
                finding = self._finding(case, "path")
                if finding is not None:
                    findings.append(finding)
                    failed = True
            if failed:
                beaten.append(kind)
        findings = cut(findings, len(findings))
        total = len(kinds)
        if self.check.fuzz:
            total += 1
            self.context.on_event({"test": f"{self.check.function}: hypothesis fuzz"})
            fuzzed = self._fuzz()
            if fuzzed is not None:
                beaten.append(FUZZ)
                findings.append(fuzzed)
        return self._result(findings, beaten, total, len(reads), len(attacks))

    def _result(
        self,
        findings: list[Finding],
        beaten: list[str],
        total: int,
        reads: int,
        attacks: int,
    ) -> CheckResult:
        if beaten:
            findings.append(
                make_finding(
                    "security.path-kinds-beaten",
                    defended=total - len(beaten),
                    total=total,
                    beaten="; ".join(beaten),
                )
            )
        else:
            fuzz = (
                f" and {self.check.examples} generated ones" if self.check.fuzz else ""
            )
            findings.append(
                make_finding(
                    "security.path-clean",
                    function=self.check.function,
                    reads=reads,
                    attacks=attacks,
                    fuzz=fuzz,
                )
            )
        return CheckResult((total - len(beaten)) / total, tuple(findings))

    def problem(self, name: str) -> Problem | None:
        """Call the reader with one name and judge what it did.

        Args:
            name: The name to try.

        Returns:
            What went wrong, or ``None``.
        """
        leads, text = self.layout.leads(name)
        try:
            result = self.function(self.layout.base, name)
        except Exception as error:  # noqa: BLE001 - learner code may raise anything
            return self._raised(leads, error)
        return self._returned(leads, text, result)

    def _raised(self, leads: str, error: Exception) -> Problem | None:
        said = describe_error(error, self.layout.unfill)
        if leads == "outside" and not raised(error, self.check.error):
            outcome = f"{said} instead of {self.error_text}"
            return Problem("security.path-not-refused", outcome)
        if leads == "plain":
            return Problem("security.path-read-failed", said)
        return None

    def _returned(self, leads: str, text: str | None, result: object) -> Problem | None:
        if isinstance(result, str) and result in self.layout.leaks:
            outside = self.layout.leaks[result]
            return Problem("security.path-leak", f"returned the text of `{outside}`")
        if leads == "outside":
            outcome = f"returned {short(result)} instead of raising {self.error_text}"
            return Problem("security.path-not-refused", outcome)
        if leads == "plain" and result != text:
            outcome = f"returned {short(result)}, not the file's text {short(text)}"
            return Problem("security.path-read-failed", outcome)
        return None

    def _finding(self, case: Case, noun: str) -> Finding | None:
        problem = self.problem(self.layout.fill(str(case.value)))
        if problem is None:
            return None
        return make_finding(
            problem.finding_id,
            self.where,
            case=case.shown(noun),
            function=self.check.function,
            outcome=problem.outcome,
            error=self.error_text,
        )

    def _fuzz(self) -> Finding | None:
        """Let hypothesis look for a name the reader gets wrong."""
        layout = self.layout
        prefixes = ("", "./", "/", f"{layout.root}/", f"{layout.base}/")
        names = st.builds(
            lambda prefix, detour, climb, tail: (
                prefix + "/".join([*detour, *[".."] * climb, tail])
            ),
            st.sampled_from(prefixes),
            st.lists(st.sampled_from(SEGMENTS), max_size=3),
            st.sampled_from(range(4)),
            st.sampled_from(TAILS),
        )
        found = fuzz(names, self.check.examples, self.check.seed, self.problem)
        if found is None:
            return None
        name, problem = found
        return make_finding(
            problem.finding_id,
            self.where,
            case=f"the generated path `{short(layout.unfill(name), 120)}`"
            f" (hypothesis, seed {self.check.seed})",
            function=self.check.function,
            outcome=problem.outcome,
            error=self.error_text,
        )


# --- The fuzz ---------------------------------------------------------------------

_STEPS: list[Callable[[Any], None]] = []
"""The body of the fuzz under way, which the property below calls."""


def _step(data: Any) -> None:
    _STEPS[-1](data)


_PROPERTY: Any = given(st.data())(_step)
"""The one hypothesis test every fuzz runs, made when this module loads.

``@given`` builds its wrapper from generated source. Made here, before any
learner code runs, the wrapper is the course's own code to a sandbox; made
during a check, it would look like code compiled by the learner. Each fuzz
draws its names through ``data``, and sets its seed and settings on the
wrapper, as ``@seed`` and ``@settings`` would."""


def _without_local_constants() -> None:
    """Keep hypothesis from mining the modules loaded so far for constants.

    Hypothesis now and then draws a constant found in the source of a local
    module — the learner's answer among them — which would make the names
    depend on the answer, and it reads and caches every such module to do
    so. Marking every loaded module as seen, in hypothesis's bookkeeping
    (no public switch exists: HypothesisWorks/hypothesis#4627), keeps the
    fuzz the same for every learner; should that bookkeeping change, only
    speed and sameness are lost.
    """
    try:
        from hypothesis.internal.conjecture import providers

        seen: set[int] = providers._seen_modules
    except (ImportError, AttributeError):  # pragma: no cover - another version
        return
    modules = list(sys.modules.values())
    seen.update(id(module) for module in modules)
    providers._sys_modules_len = len(modules)


def fuzz(
    names: st.SearchStrategy[str],
    examples: int,
    seed_value: int,
    judge: Callable[[str], Problem | None],
) -> tuple[str, Problem] | None:
    """Search for a name that a judge finds mishandled.

    Hypothesis runs with a fixed seed, no database, no deadline and no
    explain phase (which traces), quietly, and shrinks what it finds.

    Args:
        names: Generates the names.
        examples: How many names to try at most.
        seed_value: The seed.
        judge: Calls the reader with a name and says what went wrong.

    Returns:
        The smallest name found mishandled, with what went wrong, or
        ``None``.
    """
    found: list[tuple[str, Problem]] = []

    def step(data: Any) -> None:
        name = data.draw(names)
        problem = judge(name)
        if problem is not None:
            found.append((name, problem))  # the last one is the shrunk one
            raise _MishandledError

    seed(seed_value)(_PROPERTY)
    _PROPERTY._hypothesis_internal_use_settings = settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=(Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
        print_blob=False,
    )
    _without_local_constants()
    _STEPS.append(step)
    try:
        _PROPERTY()
    except _MishandledError:
        pass
    except HypothesisException:
        logger.warning("the fuzz stopped early", exc_info=True)
    finally:
        _STEPS.pop()
    return found[-1] if found else None


def _warm_up() -> None:
    """Run one tiny fuzz, so that hypothesis finishes setting itself up now.

    Hypothesis completes its set-up during its first run (it seeds a random
    generator of its own and checks it with ``gc.get_referrers``). Done when
    this module loads, that happens in the grading worker before learner
    code runs: the first check starts faster, and a sandbox that refuses
    such calls once learner code exists has nothing to refuse. Under pytest,
    hypothesis warns about work done while plugins and conftest files load;
    that work is the point.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypothesisSideeffectWarning)
        fuzz(st.just(""), 1, 0, lambda name: None)


_warm_up()
