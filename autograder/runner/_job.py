"""A job: the checks of one graded cell, and how to execute them.

A job is plain data so it can cross a process boundary as JSON.
:func:`execute_job` runs inside the isolated worker child; everything it
learns is written as events to a file, so that a child killed for running too
long still leaves behind what it finished and where it was.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder._settings import Settings
from autograder.checks import Answer, CheckContext, TestCode, build_check
from autograder.spec import AnswerSpec, CheckSpec


@dataclass(frozen=True)
class Job:
    """The checks of one graded cell that should run.

    Attributes:
        checks: Checks by their index in the cell's declaration.
        answers: The learner's answers: declaration and source, by grade id.
        tests: The cell's test code, if any.
    """

    checks: dict[int, CheckSpec]
    answers: dict[str, tuple[AnswerSpec, str]]
    tests: TestCode | None

    def to_dict(self) -> dict[str, Any]:
        """Turn the job into JSON-able data.

        Returns:
            A dictionary :meth:`from_dict` reads back.
        """
        return {
            "checks": {
                str(index): spec.to_dict() for index, spec in self.checks.items()
            },
            "answers": {
                grade_id: {
                    "grade_id": spec.grade_id,
                    "module": spec.module,
                    "label": spec.label,
                    "defines": list(spec.defines),
                    "format": spec.format,
                    "source": source,
                }
                for grade_id, (spec, source) in self.answers.items()
            },
            "tests": None
            if self.tests is None
            else {
                "cell": self.tests.cell,
                "source": self.tests.source,
                "line_offset": self.tests.line_offset,
                "hidden_from": self.tests.hidden_from,
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Job:
        """Rebuild a job from :meth:`to_dict` output.

        Args:
            data: The dictionary.

        Returns:
            The job.
        """
        answers = {}
        for grade_id, body in data["answers"].items():
            spec = AnswerSpec(
                grade_id=body["grade_id"],
                module=body["module"],
                label=body["label"],
                defines=tuple(body["defines"]),
                format=body.get("format", "python"),
            )
            answers[grade_id] = (spec, body["source"])
        tests = data["tests"]
        return cls(
            checks={int(i): CheckSpec.from_dict(s) for i, s in data["checks"].items()},
            answers=answers,
            tests=None if tests is None else TestCode(**tests),
        )


def _write_answers(job: Job, workdir: Path) -> dict[str, Answer]:
    written = {}
    for grade_id, (spec, source) in job.answers.items():
        path = workdir / spec.filename
        path.write_text(source, encoding="utf-8")
        written[grade_id] = Answer(spec=spec, source=source, path=path)
    return written


def execute_job(
    job: Job, workdir: Path, settings: Settings, emit: Callable[[dict[str, Any]], None]
) -> None:
    """Run a job's checks, static ones first, emitting an event per step.

    Events are ``{"check": i, "started": true}``, ``{"check": i, "test": name}``
    and ``{"check": i, "result": {...}}``.

    Args:
        job: The job.
        workdir: An empty scratch folder, which becomes the working directory.
        settings: The engine's settings.
        emit: Receives each event.
    """
    answers = _write_answers(job, workdir)
    sys.path.insert(0, str(workdir))
    checks = {
        index: build_check(spec.kind, spec.options)
        for index, spec in job.checks.items()
    }
    order = sorted(checks, key=lambda index: (checks[index].runs_learner_code, index))
    for index in order:
        emit({"check": index, "started": True})
        context = CheckContext(
            workdir=workdir,
            answer=answers[job.checks[index].answer],
            answers=answers,
            tests=job.tests,
            settings=settings,
            on_event=lambda event, i=index: emit({"check": i, **event}),  # type: ignore[misc]
        )
        result = checks[index].run(context)
        emit(
            {
                "check": index,
                "result": {
                    "fraction": result.fraction,
                    "findings": [finding.to_dict() for finding in result.findings],
                },
            }
        )


class EventLog:
    """Append events as JSON lines to a file, flushing each one.

    Args:
        path: The file.
    """

    def __init__(self, path: Path) -> None:
        """Open the log for appending."""
        self._file = path.open("a", encoding="utf-8")

    def __call__(self, event: dict[str, Any]) -> None:
        """Append one event.

        Args:
            event: The event.
        """
        self._file.write(json.dumps(event) + "\n")
        self._file.flush()

    def close(self) -> None:
        """Close the file."""
        self._file.close()


def read_events(path: Path) -> list[dict[str, Any]]:
    """Read the events a job wrote, ignoring a line cut short by a kill.

    Args:
        path: The event file.

    Returns:
        The events, in order.
    """
    events = []
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    for line in text.splitlines():
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError:
            break
    return events
