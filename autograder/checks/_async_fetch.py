"""Batches of fake requests, declared as data, and the fake server that answers them.

The ``async-concurrency`` check reads its batches from the graded cell's
body: a top-level list ``BATCHES`` of dict literals, public above the
hidden-tests marker and extended below it (see
:mod:`autograder.checks._security` for the format; the comment after an item
names its kind, which the feedback uses for a hidden batch)::

    BATCHES = [
        {"limit": 3, "timeout_ms": 100, "requests": [20, ["fail", 10], "hang"]},
    ]

``limit`` and ``timeout_ms`` are handed to the learner's function (the timeout
in seconds); each item of ``requests`` is one URL, named
``https://shop.example/items/<n>`` in order, and says how the fake server
answers it:

* a number: the body ``"body of <url>"`` after that many milliseconds;
* ``"hang"``: never (the call sleeps until it is cancelled);
* ``["fail", ms]`` or ``["fail", ms, "ValueError"]``: raises an exception
  after that many milliseconds (``ConnectionError`` unless named).

A delay must be at most half the timeout or at least twice it, so that
whether a request times out never depends on the machine's load. A request
slower than the timeout, or one that hangs, must come back as a
``TimeoutError``.
"""

from __future__ import annotations

import asyncio
import heapq
from dataclasses import dataclass, field
from typing import Any

from autograder.checks._security import Case

URL = "https://shop.example/items/{number}"
"""How the n-th request of a batch is named."""

GUARD_FACTOR = 2.0
"""A batch is cut off after this many times its one-at-a-time duration..."""

GUARD_EXTRA = 0.25
"""... plus this many seconds."""

HANG_SECONDS = 3600.0
"""How long a request that hangs sleeps (it is cancelled long before)."""

ERRORS: dict[str, type[Exception]] = {
    "ConnectionError": ConnectionError,
    "ConnectionRefusedError": ConnectionRefusedError,
    "OSError": OSError,
    "PermissionError": PermissionError,
    "ValueError": ValueError,
    "RuntimeError": RuntimeError,
    "KeyError": KeyError,
}
"""The exceptions a failing request may raise."""


@dataclass(frozen=True)
class Request:
    """One URL of a batch and how the fake server answers it.

    Attributes:
        url: The URL.
        delay: Seconds before the answer; ``None`` for a request that hangs.
        error: Name of the exception it raises, or ``None`` for a body.
    """

    url: str
    delay: float | None
    error: str | None = None

    @property
    def body(self) -> str:
        """The body a successful request returns."""
        return f"body of {self.url}"

    def times_out(self, timeout: float) -> bool:
        """Tell whether the request outlasts a timeout."""
        return self.delay is None or self.delay >= timeout

    def duration(self, timeout: float) -> float:
        """Seconds the request holds its slot when the timeout is enforced."""
        return timeout if self.times_out(timeout) else float(self.delay or 0.0)

    def describe(self, timeout: float) -> str:
        """Say how the fake server answers, for feedback."""
        if self.delay is None:
            return "never answers"
        ms = round(self.delay * 1000)
        if self.times_out(timeout):
            return f"answers only after {ms} ms"
        if self.error:
            return f"raises {self.error} after {ms} ms"
        return f"answers after {ms} ms"


@dataclass(frozen=True)
class Batch:
    """One call of the learner's function, declared as data.

    Attributes:
        number: Its place among the cell's batches, from 1.
        kind: What it exercises, from its comment.
        hidden: Whether the learner must not see it.
        limit: The concurrency limit passed on.
        timeout: The per-request timeout passed on, in seconds.
        requests: The URLs, in order.
    """

    number: int
    kind: str
    hidden: bool
    limit: int
    timeout: float
    requests: tuple[Request, ...]

    @property
    def urls(self) -> list[str]:
        """The URLs, in order."""
        return [request.url for request in self.requests]

    @property
    def shown(self) -> str:
        """Name the batch in feedback without revealing a hidden one."""
        if self.hidden:
            return f"a hidden batch ({self.kind})"
        return (
            f"batch {self.number} ({self.kind}: {len(self.requests)} URLs, "
            f"limit={self.limit}, timeout={self.timeout:g})"
        )

    @property
    def call(self) -> str:
        """The call the check makes, as code."""
        return f"fetch_all(urls, fetch, limit={self.limit}, timeout={self.timeout:g})"

    def starts(self) -> list[float]:
        """When each request starts if ``limit`` run at a time, in order.

        Returns:
            Seconds from the first start, by request.
        """
        free = [0.0] * min(self.limit, max(1, len(self.requests)))
        heapq.heapify(free)
        found = []
        for request in self.requests:
            start = heapq.heappop(free)
            found.append(start)
            heapq.heappush(free, start + request.duration(self.timeout))
        return found

    @property
    def bound(self) -> float:
        """Seconds the batch takes with ``limit`` requests in flight at once."""
        starts = self.starts()
        ends = [
            start + request.duration(self.timeout)
            for start, request in zip(starts, self.requests, strict=True)
        ]
        return max(ends, default=0.0)

    @property
    def sequential(self) -> float:
        """Seconds the batch takes one request at a time."""
        return sum(request.duration(self.timeout) for request in self.requests)

    @property
    def guard(self) -> float:
        """Seconds after which a run of the batch is cut off."""
        return GUARD_FACTOR * self.sequential + GUARD_EXTRA

    @property
    def tests_timeouts(self) -> bool:
        """Whether some request must time out, or ends later than the timeout.

        A request that ends later than the timeout after the batch started,
        though it answers within the timeout, is timed out by a deadline
        that counts the wait for a slot.
        """
        ends = (
            start + request.duration(self.timeout)
            for start, request in zip(self.starts(), self.requests, strict=True)
        )
        slow = any(request.times_out(self.timeout) for request in self.requests)
        return slow or any(end > self.timeout for end in ends)

    @property
    def tests_failures(self) -> bool:
        """Whether some request fails."""
        return any(
            r.error is not None and not r.times_out(self.timeout) for r in self.requests
        )


def _request(number: int, item: Any, timeout: float) -> Request:
    url = URL.format(number=number)
    if item == "hang":
        return Request(url, None)
    if isinstance(item, list | tuple) and item and item[0] == "fail":
        if len(item) not in (2, 3) or not isinstance(item[1], int | float):
            raise ValueError(
                f"request {number}: write ['fail', ms] or ['fail', ms, name]"
            )
        error = item[2] if len(item) == 3 else "ConnectionError"
        if error not in ERRORS:
            raise ValueError(f"request {number}: unknown error {error!r}")
        delay, text = item[1] / 1000, error
    elif isinstance(item, int | float) and not isinstance(item, bool):
        delay, text = item / 1000, None
    else:
        raise ValueError(f"request {number}: {item!r} is no delay, 'hang' or 'fail'")
    if delay < 0 or timeout / 2 < delay < timeout * 2:
        raise ValueError(
            f"request {number}: a delay must be at most half the timeout "
            "or at least twice it"
        )
    return Request(url, delay, text)


def read_batch(number: int, case: Case) -> Batch:
    """Turn one declared batch into a :class:`Batch`.

    Args:
        number: Its place in the cell, from 1.
        case: The literal as read from the cell.

    Returns:
        The batch.

    Raises:
        ValueError: The literal is malformed (a fault of the course).
    """
    value = case.value
    if not isinstance(value, dict) or set(value) != {"limit", "timeout_ms", "requests"}:
        raise ValueError(
            f"batch {number} must be a dict with limit, timeout_ms and requests"
        )
    limit, timeout_ms, items = value["limit"], value["timeout_ms"], value["requests"]
    if not isinstance(limit, int) or limit < 1:
        raise ValueError(f"batch {number}: limit must be a positive integer")
    if not isinstance(timeout_ms, int | float) or timeout_ms <= 0:
        raise ValueError(f"batch {number}: timeout_ms must be positive")
    if not isinstance(items, list | tuple):
        raise ValueError(f"batch {number}: requests must be a list")  # noqa: TRY004
    timeout = timeout_ms / 1000
    requests = tuple(
        _request(index, item, timeout) for index, item in enumerate(items, start=1)
    )
    return Batch(number, case.kind, case.hidden, limit, timeout, requests)


@dataclass
class Call:
    """What happened to one call of the fake fetch.

    Attributes:
        started: When it started, on the loop's clock.
        ended: When it ended, if it did.
        cancelled: Whether it was cancelled before it answered.
        raised: The exception it raised, if it failed.
    """

    started: float
    ended: float | None = None
    cancelled: bool = False
    raised: Exception | None = None


@dataclass
class FakeServer:
    """Answers a batch's URLs with ``asyncio.sleep``, counting calls in flight.

    Attributes:
        batch: The batch it serves.
        calls: The calls made, by URL.
        strays: Arguments the fetch was called with that are not URLs of the
            batch.
        in_flight: Calls started and not yet ended.
        peak: The most calls in flight at one moment.
    """

    batch: Batch
    calls: dict[str, list[Call]] = field(default_factory=dict)
    strays: list[str] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0

    def __post_init__(self) -> None:
        """Index the batch's requests by URL."""
        self._requests = {request.url: request for request in self.batch.requests}

    async def fetch(self, url: str) -> str:
        """Answer one URL as the batch declares.

        Args:
            url: The URL.

        Returns:
            The URL's body.

        Raises:
            LookupError: The URL is not one of the batch's.
            Exception: The request's declared failure.
        """
        request = self._requests.get(url) if isinstance(url, str) else None
        if request is None:
            self.strays.append(repr(url)[:80])
            raise LookupError(f"no such URL: {url!r}")
        loop = asyncio.get_running_loop()
        call = Call(loop.time())
        self.calls.setdefault(url, []).append(call)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(
                HANG_SECONDS if request.delay is None else request.delay
            )
            if request.error is not None:
                call.raised = ERRORS[request.error](f"{request.url}: connection failed")
                raise call.raised
        except asyncio.CancelledError:
            call.cancelled = True
            raise
        finally:
            self.in_flight -= 1
            call.ended = loop.time()
        return request.body
