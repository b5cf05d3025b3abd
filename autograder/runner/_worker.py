"""The warm grading worker: a process that imports the tools once and forks per job.

Started by :class:`~autograder.runner.WorkerClient`; speaks JSON lines on its
standard input and output: one job in, one result out. Run as
``python -m autograder.runner._worker``.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import IO, Any

from autograder._settings import Settings, load_settings
from autograder.runner._isolate import run_isolated
from autograder.runner._job import Job

logger = logging.getLogger(__name__)


def preload() -> None:
    """Import what every job needs, so that forked children start warm."""
    import mypy.api
    import mypy.build
    import mypy.main  # noqa: F401
    import pytest  # noqa: F401
    from _pytest import assertion, python  # noqa: F401

    import autograder.checks  # noqa: F401


def handle(line: str, settings: Settings) -> dict[str, Any]:
    """Run one request line and build its answer.

    Args:
        line: A JSON object with a ``job``.
        settings: The worker's settings.

    Returns:
        ``{"results": {index: {fraction, findings}}}``, or ``{"error": text}``.
    """
    try:
        job = Job.from_dict(json.loads(line)["job"])
    except (KeyError, TypeError, ValueError) as error:
        return {"error": f"unreadable job: {error}"}
    results = run_isolated(job, settings)
    return {
        "results": {
            str(index): {
                "fraction": result.fraction,
                "findings": [finding.to_dict() for finding in result.findings],
            }
            for index, result in results.items()
        }
    }


def serve(requests: IO[str], replies: IO[str]) -> None:
    """Answer requests until the input closes.

    Args:
        requests: Where job lines come from.
        replies: Where result lines go.
    """
    settings = load_settings()
    preload()
    replies.write(json.dumps({"ready": True}) + "\n")
    replies.flush()
    for line in requests:
        if not line.strip():
            continue
        replies.write(json.dumps(handle(line, settings)) + "\n")
        replies.flush()


if __name__ == "__main__":  # pragma: no cover - exercised through WorkerClient
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    serve(sys.stdin, sys.stdout)
