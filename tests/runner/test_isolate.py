"""Does a job that misbehaves end as a finding, with earlier results kept?"""

from __future__ import annotations

import dataclasses

from autograder import Settings, split_tests
from autograder.runner import Job, WorkerClient, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "loopy", "your module", ("work",))
TESTS = "%%check cell\nimport loopy\n\n\ndef test_work_finishes():\n    loopy.work()\n"


def job(source: str) -> Job:
    return Job(
        checks={
            0: CheckSpec("pytest", 2.0, "answer"),
            1: CheckSpec("ruff", 1.0, "answer", {"select": ["E7"]}),
        },
        answers={"answer": (ANSWER, source)},
        tests=split_tests("cell", TESTS),
    )


def test_an_endless_loop_is_stopped_and_named(settings: Settings) -> None:
    quick = dataclasses.replace(settings, check_timeout=1.0)
    results = run_isolated(job("def work():\n    while True:\n        pass\n"), quick)
    (finding,) = results[0].findings
    assert finding.id == "limits.timeout"
    assert "`test_work_finishes`" in finding.message
    assert results[0].fraction == 0.0
    assert results[1].fraction == 1.0  # the static check ran first and is kept


def test_exiting_the_process_is_a_finding(settings: Settings) -> None:
    results = run_isolated(
        job("import os\n\n\ndef work():\n    os._exit(0)\n"), settings
    )
    (finding,) = results[0].findings
    assert finding.id == "limits.crashed"
    assert "test_work_finishes" in finding.message


def test_a_memory_bomb_stays_within_the_limit(settings: Settings) -> None:
    small = dataclasses.replace(settings, memory_limit_mb=512)
    source = (
        "def work():\n    blocks = []\n"
        "    while True:\n        blocks.append(bytearray(10**8))\n"
    )
    results = run_isolated(job(source), small)
    assert results[0].fraction == 0.0
    assert "MemoryError" in results[0].findings[0].message


def test_the_worker_answers_jobs_and_survives_a_bad_one(worker: WorkerClient) -> None:
    good = worker.run(job("def work():\n    return 1\n"))
    assert good[0].fraction == 1.0
    crashed = worker.run(job("import os\n\n\ndef work():\n    os._exit(3)\n"))
    assert crashed[0].findings[0].id == "limits.crashed"
    assert worker.run(job("def work():\n    return 2\n"))[0].fraction == 1.0
