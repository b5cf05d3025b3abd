"""Verdicts of the ``async-concurrency`` check, aspect by aspect.

One :class:`Observation` records a run of the learner's function on one
batch; a :class:`Judge` turns observations into the aspects that held and
the findings that say why the others did not. What each aspect means is
described in :mod:`autograder.checks._async_concurrency`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from autograder.checks._async_fetch import Batch, FakeServer
from autograder.checks._async_harness import Diagnostics, debug_findings
from autograder.checks._base import Answer, CheckResult
from autograder.checks._security import clip, definition_line, short
from autograder.checks._singleton_race import answer_line
from autograder.feedback import Finding, make_finding

ASPECTS = ("results", "peak", "elapsed", "failures", "timeouts", "clean")
"""What the check can judge, in the order the feedback reports it."""

LOWER = 0.9
"""A batch faster than this share of the concurrent bound ran too many at once."""

MAX_PER_ASPECT = 2
"""Findings listed for one aspect before the rest are only counted."""


@dataclass
class Observation:
    """One run of the learner's function on one batch.

    Attributes:
        server: The fake server, with its record of calls.
        value: What the function returned, if it returned.
        error: What it raised, if it raised.
        not_awaitable: The type of what it returned, when that was no
            awaitable.
        cut_off: Whether it was cut off for taking too long.
        elapsed: Seconds from the call to its end.
        left_running: Calls still in flight when it returned or raised.
        diagnostics: What debug mode reported.
    """

    server: FakeServer
    value: object = None
    error: BaseException | None = None
    not_awaitable: str | None = None
    cut_off: bool = False
    elapsed: float = 0.0
    left_running: int = 0
    diagnostics: Diagnostics = field(default_factory=Diagnostics)

    @property
    def returned_list(self) -> bool:
        """Whether the function returned a list with one item per URL."""
        return (
            self.error is None
            and not self.cut_off
            and self.not_awaitable is None
            and isinstance(self.value, list)
            and len(self.value) == len(self.server.batch.requests)
        )

    @property
    def items(self) -> list[object]:
        """The returned items (empty unless :attr:`returned_list`)."""
        return list(self.value) if isinstance(self.value, list) else []

    def calls(self, url: str) -> int:
        """How many times the fake fetch was called with a URL."""
        return len(self.server.calls.get(url, []))

    def cancelled(self, url: str) -> bool:
        """Whether some call for a URL was cancelled."""
        return any(call.cancelled for call in self.server.calls.get(url, []))


class Judge:
    """Collect verdicts and findings, aspect by aspect, over the batches.

    Args:
        aspects: The aspects to judge.
        upper: The longest a batch may take, in seconds.
        function: The name of the learner's function.
        answer: The learner's answer.
    """

    def __init__(
        self,
        aspects: tuple[str, ...],
        upper: Callable[[Batch], float],
        function: str,
        answer: Answer,
    ) -> None:
        """Start with no verdicts."""
        self.aspects = aspects
        self.upper = upper
        self.answer = answer
        self.at = answer.at(definition_line(answer.source, function))
        self.failed: dict[str, list[Finding]] = {}
        self.seen_messages: set[str] = set()
        self.batches = 0

    def fail(self, aspect: str, finding: Finding | None = None) -> None:
        """Record that an aspect failed, and why (each message once)."""
        if aspect not in self.aspects:
            return
        findings = self.failed.setdefault(aspect, [])
        if finding is not None and finding.message not in self.seen_messages:
            self.seen_messages.add(finding.message)
            findings.append(finding)

    def skipped(self, batch: Batch) -> None:
        """A batch not run, because an earlier one never finished."""
        self.batches += 1
        finding = make_finding("async.skipped", self.at, batch=batch.shown)
        for aspect in self._applies(batch):
            if aspect != "clean":  # nothing ran, so debug mode has nothing to say
                self.fail(aspect, finding)

    def _applies(self, batch: Batch) -> list[str]:
        aspects = ["results", "peak", "elapsed", "clean"]
        if batch.tests_failures:
            aspects.append("failures")
        if batch.tests_timeouts:
            aspects.append("timeouts")
        return aspects

    def batch(self, batch: Batch, seen: Observation) -> None:
        """Judge one batch on every aspect that applies to it."""
        self.batches += 1
        applies = self._applies(batch)
        broken = self._broken(batch, seen)
        if "peak" in applies:
            self._peak(batch, seen)
        if "clean" in applies and not seen.cut_off:
            self._clean(batch, seen)
        if broken is not None:
            for aspect in applies:
                if aspect not in ("peak", "clean"):
                    self.fail(aspect, broken)
            return
        self._results(batch, seen)
        self._elapsed(batch, seen)
        if "failures" in applies:
            self._failures(batch, seen)
        if "timeouts" in applies:
            self._timeouts(batch, seen)

    def _broken(self, batch: Batch, seen: Observation) -> Finding | None:
        """Say why the function gave no list to judge, if it did not."""
        fields = {"batch": batch.shown, "call": batch.call}
        if seen.cut_off:
            return make_finding(
                "async.never-returned", self.at, seconds=f"{batch.guard:.1f}", **fields
            )
        if seen.not_awaitable is not None:
            return make_finding(
                "async.not-coroutine",
                self.at,
                found=seen.not_awaitable,
                **fields,
            )
        if seen.error is not None:
            return self._raised(batch, seen, fields)
        if not seen.returned_list:
            return make_finding(
                "async.not-list",
                self.at,
                found=short(seen.value),
                count=len(batch.requests),
                **fields,
            )
        return None

    def _raised(
        self, batch: Batch, seen: Observation, fields: dict[str, str]
    ) -> Finding:
        error = seen.error
        assert error is not None  # noqa: S101 - the caller checked
        raised = {
            id(call.raised)
            for calls in seen.server.calls.values()
            for call in calls
            if call.raised is not None
        }
        inner = list(error.exceptions) if isinstance(error, BaseExceptionGroup) else []
        escaped = id(error) in raised or any(id(e) in raised for e in inner)
        timed_out = isinstance(error, TimeoutError) or any(
            isinstance(e, TimeoutError) for e in inner
        )
        if escaped or (timed_out and batch.tests_timeouts):
            cancelled = sum(
                seen.cancelled(r.url)
                for r in batch.requests
                if not r.times_out(batch.timeout)
            )
            lost = (
                f"; {cancelled} request(s) that would have succeeded were cancelled"
                if cancelled
                else ""
            )
            return make_finding(
                "async.failure-escaped",
                self.at,
                error=type(error).__name__,
                cancelled=lost,
                **fields,
            )
        line = answer_line(error.__traceback__, self.answer)
        return make_finding(
            "async.crashed",
            self.answer.at(line) if line else self.at,
            error=clip(f"{type(error).__name__}: {error}", 100),
            **fields,
        )

    def _results(self, batch: Batch, seen: Observation) -> None:
        items = seen.items
        wrong = [
            (index, request)
            for index, request in enumerate(batch.requests)
            if request.error is None
            and not request.times_out(batch.timeout)
            and items[index] != request.body
            and not isinstance(items[index], TimeoutError)  # judged by timeouts
        ]
        if wrong:
            index, request = wrong[0]
            self.fail(
                "results",
                make_finding(
                    "async.wrong-result",
                    self.at,
                    batch=batch.shown,
                    index=index,
                    url=request.url,
                    got=short(items[index]),
                    expected=short(request.body),
                    count=len(wrong),
                ),
            )
        counts = [(r.url, seen.calls(r.url)) for r in batch.requests]
        extra = [(url, n) for url, n in counts if n != 1]
        if extra or seen.server.strays:
            url, n = extra[0] if extra else ("", 0)
            what = (
                f"`fetch` was called {n} times for `{url}`"
                if extra
                else f"`fetch` was called with {seen.server.strays[0]}, not a URL"
            )
            self.fail(
                "results",
                make_finding(
                    "async.fetch-count", self.at, batch=batch.shown, what=what
                ),
            )

    def _peak(self, batch: Batch, seen: Observation) -> None:
        expected = min(batch.limit, len(batch.requests))
        peak = seen.server.peak
        if peak == expected or (seen.cut_off and peak <= expected):
            return
        finding_id = "async.peak-over" if peak > expected else "async.peak-under"
        self.fail(
            "peak",
            make_finding(
                finding_id,
                self.at,
                batch=batch.shown,
                peak=peak,
                limit=batch.limit,
                expected=expected,
            ),
        )

    def _elapsed(self, batch: Batch, seen: Observation) -> None:
        bound, upper = batch.bound, self.upper(batch)
        fields = {
            "batch": batch.shown,
            "elapsed": round(seen.elapsed * 1000),
            "bound": round(bound * 1000),
            "limit": batch.limit,
            "upper": round(upper * 1000),
            "sequential": round(batch.sequential * 1000),
        }
        if seen.elapsed < LOWER * bound:
            self.fail("elapsed", make_finding("async.too-fast", self.at, **fields))
        elif seen.elapsed > upper:
            self.fail("elapsed", make_finding("async.too-slow", self.at, **fields))

    def _failures(self, batch: Batch, seen: Observation) -> None:
        items = seen.items
        for index, request in enumerate(batch.requests):
            if request.error is None or request.times_out(batch.timeout):
                continue
            raised = [c.raised for c in seen.server.calls.get(request.url, [])]
            item = items[index]
            if not any(item is error for error in raised if error is not None):
                self.fail(
                    "failures",
                    make_finding(
                        "async.failure-wrong",
                        self.at,
                        batch=batch.shown,
                        index=index,
                        url=request.url,
                        got=short(item),
                        error=request.error,
                    ),
                )
                break
        cancelled = [
            r.url
            for r in batch.requests
            if not r.times_out(batch.timeout) and seen.cancelled(r.url)
        ]
        if cancelled:
            self.fail(
                "failures",
                make_finding(
                    "async.cancelled-others",
                    self.at,
                    batch=batch.shown,
                    count=len(cancelled),
                    url=cancelled[0],
                ),
            )

    def _timeouts(self, batch: Batch, seen: Observation) -> None:
        items = seen.items
        fields = {"batch": batch.shown, "timeout": round(batch.timeout * 1000)}
        for index, request in enumerate(batch.requests):
            item = items[index]
            if request.times_out(batch.timeout):
                if isinstance(item, TimeoutError) and seen.cancelled(request.url):
                    continue
                finding = make_finding(
                    "async.timeout-missing",
                    self.at,
                    index=index,
                    url=request.url,
                    how=request.describe(batch.timeout),
                    got=short(item),
                    **fields,
                )
            elif isinstance(item, TimeoutError):
                finding = make_finding(
                    "async.timeout-early",
                    self.at,
                    index=index,
                    url=request.url,
                    how=request.describe(batch.timeout),
                    **fields,
                )
            else:
                continue
            self.fail("timeouts", finding)
            return

    def _clean(self, batch: Batch, seen: Observation) -> None:
        for finding in debug_findings(seen.diagnostics, self.answer, self.at.line):
            self.fail("clean", finding)
        if seen.left_running:
            self.fail(
                "clean",
                make_finding(
                    "async.left-running",
                    self.at,
                    batch=batch.shown,
                    count=seen.left_running,
                    ended="raised" if seen.error is not None else "returned",
                ),
            )

    def result(self) -> CheckResult:
        """The share of aspects that held, and the findings, aspect by aspect."""
        aspects = self.aspects
        held = [aspect for aspect in aspects if aspect not in self.failed]
        findings: list[Finding] = []
        for aspect in ASPECTS:
            found = self.failed.get(aspect)
            if found is not None:
                findings.extend(found[:MAX_PER_ASPECT])
                if len(found) > MAX_PER_ASPECT:
                    findings.append(
                        make_finding(
                            "async.more-cut", count=len(found) - MAX_PER_ASPECT
                        )
                    )
        if held:
            findings.append(
                make_finding(
                    "async.aspects-held",
                    held=", ".join(held),
                    batches=self.batches,
                    total=len(aspects),
                    count=len(held),
                )
            )
        return CheckResult(len(held) / len(aspects), tuple(findings))
