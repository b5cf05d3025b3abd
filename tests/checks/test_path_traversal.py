"""Does the path traversal check keep a file reader inside its base folder?

The check runs as the engine runs it, in a forked, limited child; the layout
and its idea of where a name leads are also tested on their own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult
from autograder.checks._path_traversal import OUTSIDE, _Layout
from autograder.feedback import Finding
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "files", "your module", ("read",))

SAFE = """\
from pathlib import Path


def read(base, name):
    base = Path(base).resolve()
    path = (base / name).resolve()
    if not path.is_relative_to(base):
        raise ValueError(name)
    return path.read_text(encoding="utf-8")
"""

OPEN = """\
import os


def read(base, name):
    with open(os.path.join(base, name), encoding="utf-8") as file:
        return file.read()
"""

PREFIX = """\
import os


def read(base, name):
    base = os.path.realpath(base)
    path = os.path.realpath(os.path.join(base, name))
    if not path.startswith(base):
        raise ValueError(name)
    with open(path, encoding="utf-8") as file:
        return file.read()
"""

TESTS = """\
%%check paths
READS = ["notes/todo.txt"]
"""

HIDDEN = """\
### BEGIN HIDDEN TESTS
ATTACKS += [
    "notes/../../files-private/secret.txt",  # a sibling, the hidden way
]
### END HIDDEN TESTS
"""


def run(
    source: str, settings: Settings, tests: str = TESTS, **options: object
) -> CheckResult:
    job = Job(
        checks={
            0: CheckSpec(
                "path-traversal", 2.0, "answer", {"function": "read", **options}
            )
        },
        answers={"answer": (ANSWER, source)},
        tests=split_tests("paths", tests),
    )
    return run_isolated(job, settings)[0]


def ids(result: CheckResult) -> list[str]:
    return [finding.id for finding in result.findings]


def of(result: CheckResult, finding_id: str) -> list[Finding]:
    return [f for f in result.findings if f.id == finding_id]


def test_resolving_then_comparing_earns_everything(settings: Settings) -> None:
    result = run(SAFE, settings, examples=30)
    assert result.fraction == 1.0
    assert ids(result) == ["security.path-clean"]
    assert "and 30 generated ones" in result.findings[0].message


def test_a_plain_open_reads_the_secret_at_every_turn(settings: Settings) -> None:
    result = run(OPEN, settings, examples=30)
    assert result.fraction == 0.0
    leak = of(result, "security.path-leak")[0]
    assert leak.message == (
        "TRAVERSAL: for the path `'../secret.txt'`, `read` returned the text of "
        "`secret.txt`, a file outside the base folder."
    )
    assert leak.location is not None
    assert (leak.location.cell, leak.location.line) == ("answer", 4)
    [kinds] = of(result, "security.path-kinds-beaten")
    assert "Refused 0 of 6 kinds" in kinds.message


def test_a_text_prefix_test_lets_the_sibling_folder_through(settings: Settings) -> None:
    result = run(PREFIX, settings)
    [kinds] = of(result, "security.path-kinds-beaten")
    assert "a sibling folder whose name starts like the base's" in kinds.message
    assert "a symbolic link to a file outside" not in kinds.message
    assert any("generated path" in f.message for f in of(result, "security.path-leak"))
    assert result.fraction == pytest.approx(3 / 6)


def test_a_reader_that_refuses_everything_earns_nothing(settings: Settings) -> None:
    source = "def read(base, name):\n    raise ValueError(name)\n"
    result = run(source, settings)
    assert result.fraction == 0.0
    finding = of(result, "security.path-read-failed")[0]
    assert "For the name `'readme.txt'`, a plain name" in finding.message
    assert "raised ValueError: readme.txt" in finding.message


def test_a_refusal_is_the_declared_error(settings: Settings) -> None:
    source = SAFE.replace("raise ValueError(name)", "raise PermissionError(name)")
    refused = run(source, settings, examples=20)
    assert refused.fraction == 0.0
    finding = of(refused, "security.path-not-refused")[0]
    assert "raised PermissionError: ../secret.txt instead of `ValueError`" in (
        finding.message
    )
    accepted = run(source, settings, examples=20, error=["PermissionError"])
    assert accepted.fraction == 1.0


def test_a_file_that_does_not_exist_outside_must_be_refused_too(
    settings: Settings,
) -> None:
    source = SAFE.replace(".resolve()\n    if", ".resolve(strict=True)\n    if")
    result = run(source, settings, fuzz=False)
    [finding] = of(result, "security.path-not-refused")
    assert "`'../../secret.txt'`" in finding.message
    assert "raised FileNotFoundError" in finding.message
    assert "/tmp" not in finding.message


def test_a_hidden_attempt_is_named_by_its_kind(settings: Settings) -> None:
    result = run(PREFIX, settings, tests=TESTS + HIDDEN, fuzz=False)
    hidden = [f for f in of(result, "security.path-leak") if "hidden" in f.message]
    assert hidden[0].message.startswith(
        "TRAVERSAL: for a hidden path (a sibling, the hidden way), `read` returned"
    )


def test_the_fuzz_can_be_switched_off(settings: Settings) -> None:
    result = run(SAFE, settings, fuzz=False)
    assert result.fraction == 1.0
    assert "generated" not in result.findings[0].message


@pytest.mark.parametrize(
    ("name", "leads"),
    [
        ("readme.txt", "plain"),
        ("notes/deep/plan.txt", "plain"),
        ("./notes//todo.txt", "plain"),
        ("notes/../readme.txt", "free"),
        ("alias.txt", "free"),
        ("missing.txt", "free"),
        ("..%2fsecret.txt", "free"),
        ("readme.txt\x00x", "free"),
        ("../secret.txt", "outside"),
        ("../files-private/secret.txt", "outside"),
        ("link_out.txt", "outside"),
        ("linkdir/secret.txt", "outside"),
        ("../../nothing-here.txt", "outside"),
        ("/", "outside"),
    ],
)
def test_the_layout_knows_where_a_name_leads(
    tmp_path: Path, name: str, leads: str
) -> None:
    assert _Layout(tmp_path).leads(name)[0] == leads


def test_the_layout_names_absolute_folders_as_placeholders(tmp_path: Path) -> None:
    layout = _Layout(tmp_path)
    assert layout.leads(layout.fill("{base}/readme.txt"))[0] == "free"
    assert layout.leads(layout.fill("{root}/secret.txt"))[0] == "outside"
    sibling = f"{layout.root}/files-private/secret.txt"
    assert layout.unfill(sibling) == "{root}/files-private/secret.txt"
    assert (layout.root / "secret.txt").read_text() == OUTSIDE["secret.txt"]
