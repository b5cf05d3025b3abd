"""One shared instance, even when many threads ask for it first at the same moment.

A lazily created shared object (settings, a connection pool, a cache) is
usually reached through an accessor such as ``get_settings()``. Written as
"if there is none yet, make one", it works in every single-threaded test and
breaks in production, where two requests arrive together: both see "none
yet", both build one, and the program now holds two sets of settings.

This check makes that moment happen, on purpose and every time:

1. The answer module is imported afresh, so the accessor's call really is the
   first one (a module-level instance is built here, by the import).
2. If the exercise names the shared class, its ``__init__`` is wrapped: every
   run is counted and *slowed* by a short sleep. The sleep releases the GIL
   in the middle of construction, which is exactly where an unguarded
   check-then-create lets the next thread in; so an unlocked lazy accessor is
   caught on every run, not by luck. The thread switch interval is also cut
   to a few microseconds while the threads run, so that races elsewhere than
   in construction become likely.
3. N threads (20 by default) wait at a :class:`threading.Barrier` and are
   released together; each calls the accessor once.
4. When all have returned, the accessor is called once more from the check's
   own thread. Every returned object is kept alive while they are compared
   by ``id``, so no id can be reused.

The answer passes a round when every call returned, all returned the same
object (an instance of the named class), and the class's ``__init__`` ran at
most once during the round: a ``__new__``-based singleton that hands back
one object but runs ``__init__`` again on every call resets the shared state
each time, which is the bug this pattern is known for. The check runs a few
rounds, each on a freshly imported module, and the score is all or nothing:
a singleton that is shared only most of the time is not shared.

Nothing is hidden here: what the check does is the contract. It reads no
material from the graded cell.
"""

from __future__ import annotations

import ast
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._pytest import _import_answer
from autograder.feedback import Finding, make_finding

SWITCH_INTERVAL = 1e-5
"""Seconds between the interpreter's forced thread switches during a race."""

GRACE_SECONDS = 2.0
"""Seconds past the slowest honest finish before a thread counts as stuck."""


def definition_line(source: str, name: str) -> int | None:
    """Find where a top-level name is defined in the answer's source.

    Args:
        source: The answer module's text.
        name: The top-level name.

    Returns:
        The 1-based line of its ``def``, ``class`` or assignment, if found.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name == name:
                return node.lineno
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == name for t in targets):
                return node.lineno
    return None


def answer_line(tb: TracebackType | None, answer: Answer) -> int | None:
    """Find the deepest line of a traceback that lies in the answer module.

    Args:
        tb: The traceback.
        answer: The answer.

    Returns:
        The line in the learner's cell, if the traceback passes through it.
    """
    line = None
    for frame in traceback.extract_tb(tb):
        if frame.filename == str(answer.path):
            line = frame.lineno
    return line


def not_callable(answer: Answer, name: str, value: object) -> tuple[Finding, ...]:
    """Say that a name the check must call is not callable.

    Args:
        answer: The answer.
        name: The module's name the check was told to call.
        value: What the module holds under it (``None`` when nothing).

    Returns:
        No finding when the name is missing but part of the contract (the
        engine has said so already), else one finding.
    """
    if value is None and name in answer.spec.defines:
        return ()
    if value is None and definition_line(answer.source, name) is None:
        return (make_finding("patterns.not-defined", answer.at(None), name=name),)
    return (
        make_finding(
            "patterns.not-callable",
            answer.at(definition_line(answer.source, name)),
            name=name,
            found=type(value).__name__,
        ),
    )


class SlowConstruction:
    """While active, count and slow every run of a class's ``__init__``.

    Args:
        cls: The class whose construction to watch.
        delay: Seconds to sleep in each run, before the original ``__init__``.
    """

    def __init__(self, cls: type, delay: float) -> None:
        """Remember the class; nothing is changed until :meth:`install`."""
        self.cls = cls
        self.delay = delay
        self.runs = 0
        self.reruns = 0
        self._seen: list[object] = []  # held, so that no id is reused meanwhile
        self._lock = threading.Lock()
        self._own: object = cls.__dict__.get("__init__")

    def install(self) -> None:
        """Replace the class's ``__init__`` by the counting, slowing one."""
        original: Callable[..., None] = self.cls.__init__  # type: ignore[misc]

        def counted_init(instance: object, *args: object, **kwargs: object) -> None:
            with self._lock:
                self.runs += 1
                if any(seen is instance for seen in self._seen):
                    self.reruns += 1
                else:
                    self._seen.append(instance)
            time.sleep(self.delay)
            original(instance, *args, **kwargs)

        type.__setattr__(self.cls, "__init__", counted_init)

    def uninstall(self) -> None:
        """Put the class's own ``__init__`` back (or none, if it inherited one)."""
        if self._own is None:
            type.__delattr__(self.cls, "__init__")
        else:
            type.__setattr__(self.cls, "__init__", self._own)


@dataclass
class Race:
    """What the threads of one round got.

    Attributes:
        threads: How many threads raced.
        results: Objects returned, the check's own later call last.
        errors: Exceptions raised by the accessor, as (text, line in the answer).
        stuck: Threads still running when the check stopped waiting.
        built: Runs of the watched ``__init__``, if one was watched.
        rebuilt: Of those runs, how many set up an object already set up.
        unstarted: Why not every thread could start, if so (the grader's
            problem, not the answer's).
    """

    threads: int
    results: list[object] = field(default_factory=list)
    errors: list[tuple[str, int | None]] = field(default_factory=list)
    stuck: int = 0
    built: int | None = None
    rebuilt: int = 0
    unstarted: str | None = None

    @property
    def distinct(self) -> int:
        """How many different objects came back (all are still alive)."""
        return len({id(result) for result in self.results})


def race(
    accessor: Callable[[], object],
    threads: int,
    answer: Answer,
    *,
    timeout: float,
) -> Race:
    """Release threads together on the accessor, then call it once more.

    Args:
        accessor: The function that hands out the shared object.
        threads: How many threads make their first call at once.
        answer: The answer, to find lines of its code in tracebacks.
        timeout: Seconds to wait for the threads once released.

    Returns:
        What came back.
    """
    outcome = Race(threads)
    lock = threading.Lock()
    barrier = threading.Barrier(threads, timeout=timeout)

    def call() -> None:
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return
        try:
            result = accessor()
        except BaseException as error:  # noqa: BLE001 - learner code may raise anything
            text = f"{type(error).__name__}: {error}"
            with lock:
                outcome.errors.append((text, answer_line(error.__traceback__, answer)))
            return
        with lock:
            outcome.results.append(result)

    workers = [
        threading.Thread(target=call, name=f"race-{n}", daemon=True)
        for n in range(threads)
    ]
    switch = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        for started, worker in enumerate(workers):
            try:
                worker.start()
            except RuntimeError as error:  # the system refused another thread
                barrier.abort()
                outcome.unstarted = (
                    f"only {started} of {threads} threads started: {error}"
                )
                workers = workers[:started]
                break
        deadline = time.monotonic() + timeout
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
    finally:
        sys.setswitchinterval(switch)
    outcome.stuck = sum(worker.is_alive() for worker in workers)
    if outcome.stuck or outcome.unstarted:
        barrier.abort()
        return outcome
    try:
        outcome.results.append(accessor())
    except Exception as error:  # noqa: BLE001 - learner code may raise anything
        text = f"{type(error).__name__}: {error}"
        outcome.errors.append((text, answer_line(error.__traceback__, answer)))
    return outcome


@register_check
class SingletonRaceCheck(Check):
    """Check that an accessor hands out one shared object, even under a thread race.

    All or nothing: every round must give one object, built at most once.

    Options:
        accessor: Name of the module's function that returns the shared
            object (called with no arguments).
        cls: Name of the module's class of that object (optional). When
            given, its ``__init__`` is counted and slowed, and the object
            must be an instance of it.
        threads: How many threads make their first call at once (default 20).
        delay_ms: Milliseconds each construction is slowed by (default 50).
        rounds: How many times the race runs, each on a freshly imported
            module (default 2).
    """

    kind = "singleton-race"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.accessor = parsed.text("accessor")
        self.cls = parsed.text("cls", "")
        self.threads = parsed.integer("threads", 20, minimum=2)
        self.delay = parsed.integer("delay_ms", 50) / 1000
        self.rounds = parsed.integer("rounds", 2, minimum=1)
        parsed.finish()

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return f"one shared instance ({self.threads} threads at once)"

    @property
    def _call(self) -> str:
        return f"{self.accessor}()"

    def run(self, context: CheckContext) -> CheckResult:
        """Race the threads on a fresh import, round after round.

        Args:
            context: The answer and settings.

        Returns:
            Full marks when every round gave one object built at most once.
        """
        answer = context.answer
        for _ in range(self.rounds):
            crashed = _import_answer(answer)
            if crashed is not None:
                return CheckResult(0.0, (crashed,))
            module = sys.modules[answer.spec.module]
            accessor = getattr(module, self.accessor, None)
            cls = getattr(module, self.cls, None) if self.cls else None
            unusable = self._unusable(answer, accessor, cls)
            if unusable is not None:
                return CheckResult(0.0, unusable)
            assert callable(accessor)  # noqa: S101 - narrowed by _unusable
            context.on_event({"test": f"{self.threads} threads calling {self._call}"})
            outcome = self._round(answer, accessor, cls)
            problem = self._judge(answer, outcome, cls)
            if problem is not None:
                return CheckResult(0.0, (problem,))
        where = self.cls or "shared"
        finding = make_finding(
            "patterns.singleton-shared",
            threads=self.threads,
            call=self._call,
            rounds=self.rounds,
            cls=where,
        )
        return CheckResult(1.0, (finding,))

    def _round(self, answer: Answer, accessor: Callable[[], object], cls: Any) -> Race:
        timeout = self.delay * self.threads + GRACE_SECONDS
        if not isinstance(cls, type):
            return race(accessor, self.threads, answer, timeout=timeout)
        watch = SlowConstruction(cls, self.delay)
        try:
            watch.install()
        except (TypeError, AttributeError):  # a class that refuses new attributes
            return race(accessor, self.threads, answer, timeout=timeout)
        try:
            outcome = race(accessor, self.threads, answer, timeout=timeout)
        finally:
            watch.uninstall()
        outcome.built = watch.runs
        outcome.rebuilt = watch.reruns
        return outcome

    def _unusable(
        self, answer: Answer, accessor: object, cls: object
    ) -> tuple[Finding, ...] | None:
        if not callable(accessor):
            return not_callable(answer, self.accessor, accessor)
        if self.cls and not isinstance(cls, type):
            if cls is None and self.cls in answer.spec.defines:
                return ()
            return (
                make_finding(
                    "patterns.not-a-class",
                    answer.at(definition_line(answer.source, self.cls)),
                    name=self.cls,
                    found=type(cls).__name__,
                ),
            )
        return None

    def _judge(self, answer: Answer, outcome: Race, cls: Any) -> Finding | None:
        """Say what went wrong in a round, or ``None`` when nothing did."""
        broken = self._broken(answer, outcome)
        if broken is not None:
            return broken
        accessor_at = answer.at(definition_line(answer.source, self.accessor))
        if isinstance(cls, type):
            wrong = [r for r in outcome.results if not isinstance(r, cls)]
            if wrong:
                return make_finding(
                    "patterns.singleton-wrong-type",
                    accessor_at,
                    call=self._call,
                    found=type(wrong[0]).__name__,
                    cls=self.cls,
                )
        # A rerun __init__ is judged first: it happens on every call, so it is
        # the answer's steady fault, while a race in the same answer's __new__
        # shows only in some rounds.
        if outcome.rebuilt:
            return make_finding(
                "patterns.singleton-rebuilt",
                answer.at(definition_line(answer.source, self.cls)),
                threads=self.threads,
                call=self._call,
                cls=self.cls,
                built=outcome.built,
                rebuilt=outcome.rebuilt,
            )
        if outcome.distinct > 1:
            built = "" if outcome.built is None else f", built {outcome.built} times"
            return make_finding(
                "patterns.singleton-race",
                accessor_at,
                threads=self.threads,
                call=self._call,
                distinct=outcome.distinct,
                built=built,
            )
        return None

    def _broken(self, answer: Answer, outcome: Race) -> Finding | None:
        """Say why not every call of a round returned, if so."""
        accessor_at = answer.at(definition_line(answer.source, self.accessor))
        if outcome.unstarted:
            return make_finding(
                "checks.error", check=self.label, reason=outcome.unstarted
            )
        if outcome.stuck:
            return make_finding(
                "patterns.singleton-stuck",
                accessor_at,
                stuck=outcome.stuck,
                threads=self.threads,
                call=self._call,
                seconds=f"{self.delay * self.threads + GRACE_SECONDS:.1f}",
            )
        if outcome.errors:
            text, line = outcome.errors[0]
            return make_finding(
                "patterns.singleton-crashed",
                answer.at(line) if line else accessor_at,
                call=self._call,
                error=text,
                count=len(outcome.errors),
                threads=self.threads + 1,
            )
        return None
