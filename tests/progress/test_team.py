"""Does the team report add up, from a real nbgrader gradebook and export files?

The gradebook is made with real nbgrader commands (generate_assignment,
autograde, ``db student add``) in a temporary course; the report's numbers are
compared with what nbgrader's own Gradebook API says.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from autograder import ProgressError
from autograder.progress import (
    ProgressStore,
    collect_team_report,
    export_progress,
    render_csv,
    write_team_report,
)

from ..lessons.submissions import make_submission

ASSIGNMENT = "01_pep8"


def nbgrader(course: Path, *args: str) -> None:
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, "--log-level=WARN"],
        cwd=course,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def gradebook(root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A gradebook of three graded students and one who handed nothing in."""
    course = tmp_path_factory.mktemp("course")
    shutil.copy(root / "nbgrader_config.py", course)
    shutil.copytree(root / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--create")
    fixtures = root / "tests" / "fixtures" / ASSIGNMENT
    answers = {
        "ada": (fixtures / "alt_annotated.py").read_text(),
        "bo": (fixtures / "style_left.py").read_text(),
        "cy": None,  # the untouched exercise
    }
    for student, answer in answers.items():
        make_submission(
            root,
            ASSIGNMENT,
            {"inventory": answer} if answer else {},
            course / "submitted" / student / ASSIGNMENT,
            grading=False,
        )
    nbgrader(course, "autograde", ASSIGNMENT, "--create")
    nbgrader(course, "db", "student", "add", "dee", "--first-name=Dee")
    return course / "gradebook.db"


def nbgrader_scores(path: Path) -> dict[str, float]:
    with Gradebook(f"sqlite:///{path}", course_id="") as book:
        return {
            student: book.find_submission(ASSIGNMENT, student).score
            for student in ("ada", "bo", "cy")
        }


def export(folder: Path, name: str, learner: str, records: list[tuple]) -> None:
    store = ProgressStore(folder / f"{name}.db")
    for record in records:
        store.record(*record)
    export_progress(store, folder / "exports" / f"{name}.json", learner)
    store.close()


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    """Export files: a duplicate learner, an old course's lesson, an empty one."""
    export(
        tmp_path,
        "ada-home",
        "  ADA ",  # the gradebook's "ada", written otherwise
        [("01_pep8", "check_imports", 0, 1), ("02_docstrings", "check_style", 4, 4)],
    )
    export(
        tmp_path,
        "eve",
        "Eve",
        [("07_old_patterns", "check_x", 5, 5), ("01_pep8", "check_imports", 1, 1)],
    )
    export(tmp_path, "finn", "Finn", [])
    (tmp_path / "exports" / "notes.json").write_text('{"todo": []}')
    return tmp_path / "exports"


@pytest.mark.slow
def test_gradebook_scores_are_nbgraders_scores(gradebook: Path) -> None:
    report = collect_team_report(gradebook=gradebook)
    by_name = {learner.name: learner for learner in report.learners}
    assert sorted(by_name) == ["ada", "bo", "cy", "dee"]
    expected = nbgrader_scores(gradebook)
    assert [round(score) for score in expected.values()] == [10, 9, 0]
    for student, score in expected.items():
        pep8 = by_name[student].progress.exercise(ASSIGNMENT)
        assert pep8.score == pytest.approx(score)
    assert by_name["ada"].progress.passed == 1
    assert by_name["dee"].cells == ()
    assert "dee: no progress yet." in report.notes
    table = dict(zip(by_name, report.scores(), strict=True))
    assert table["cy"][0] == 0  # handed in, scored zero: started, not blank
    assert table["dee"] == [None] * 20


@pytest.mark.slow
def test_exports_and_gradebook_merge_duplicates_and_note_the_odd_ones(
    gradebook: Path, exports: Path, tmp_path: Path
) -> None:
    report = collect_team_report(exports, gradebook)
    names = [learner.name for learner in report.learners]
    assert names == ["ADA", "bo", "cy", "dee", "Eve", "Finn"]
    ada = report.learners[0]
    assert ada.sources == ("ada-home.json", "gradebook")
    assert ada.progress.exercise("01_pep8").score == 10  # best of 0 and 10 per cell
    assert ada.progress.exercise("02_docstrings").score == 4
    assert ada.progress.score == 14
    eve = report.learners[4]
    assert eve.progress.score == 1
    assert eve.progress.unknown == ("07_old_patterns",)
    notes = "\n".join(report.notes)
    assert "Skipped notes.json: " in notes
    assert "07_old_patterns" in notes
    assert "Finn: no progress yet." in notes
    assert "same learner" in notes

    rows = list(csv.reader(io.StringIO(render_csv(report))))
    assert rows[0][:3] == ["learner", "01_pep8", "02_docstrings"]
    assert rows[0][-2:] == ["total", "passed"]
    assert rows[1][:3] == ["ADA", "10", "4"]
    assert rows[1][-2:] == ["14", "1"]
    assert rows[2][1] == str(round(nbgrader_scores(gradebook)["bo"], 2)).removesuffix(
        ".0"
    )
    assert rows[6] == ["Finn", *[""] * 20, "0", "0"]

    files = write_team_report(report, tmp_path / "out")
    assert files.png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    page = files.html.read_text()
    assert "<table" in page
    assert "data:image/png;base64," in page
    assert "Eve" in page
    assert files.csv.read_text() == render_csv(report)


@pytest.mark.slow
def test_the_command_writes_the_report(
    gradebook: Path, exports: Path, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "autograder",
            "team-report",
            str(exports),
            "--gradebook",
            str(gradebook),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "6 learner(s)" in done.stdout
    assert "note: Skipped notes.json" in done.stdout
    assert sorted(path.name for path in out.iterdir()) == [
        "team-report.csv",
        "team-report.html",
        "team-report.png",
    ]


def test_a_folder_of_exports_alone_is_enough(exports: Path) -> None:
    report = collect_team_report(exports)
    assert [learner.name for learner in report.learners] == ["ADA", "Eve", "Finn"]


def test_an_export_without_a_name_is_named_after_its_file(tmp_path: Path) -> None:
    export(tmp_path, "anon", "", [("01_pep8", "check_imports", 1, 1)])
    (learner,) = collect_team_report(tmp_path / "exports").learners
    assert learner.name == "anon.json"


def test_a_gradebook_that_is_not_one_is_refused_and_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    ProgressStore(other).record("01_pep8", "a", 1, 1)
    before = other.read_bytes()
    with pytest.raises(ProgressError, match="not an nbgrader gradebook"):
        collect_team_report(gradebook=other)
    assert other.read_bytes() == before
    with pytest.raises(ProgressError, match="no such folder"):
        collect_team_report(tmp_path / "missing")


def test_an_empty_report_still_draws(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    report = collect_team_report(tmp_path / "exports")
    assert report.learners == ()
    files = write_team_report(report, tmp_path / "out")
    assert files.png.stat().st_size > 1000
    assert json.loads(json.dumps(report.notes)) == [
        f"No export files (*.json) in {tmp_path / 'exports'}."
    ]
