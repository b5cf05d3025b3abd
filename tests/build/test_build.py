"""Are the committed exercises what nbgrader generates, and the source consistent?"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from autograder.build import build, check_consistency
from autograder.spec import load_spec


@pytest.mark.slow
def test_committed_exercises_are_up_to_date(root: Path) -> None:
    results = build(root, check=True)
    assert results
    assert [problem for r in results for problem in r.problems] == []


@pytest.mark.slow
def test_a_hand_edit_of_an_exercise_is_caught(root: Path, tmp_path: Path) -> None:
    for name in ("solutions", "exercises"):
        shutil.copytree(root / name, tmp_path / name)
    notebook = tmp_path / "exercises" / "01_pep8" / "01_pep8.ipynb"
    notebook.write_text(notebook.read_text().replace("Exercise 01", "Exercise 1"))
    (result,) = build(tmp_path, check=True, only=["01_pep8"])
    assert any("01_pep8.ipynb differs" in problem for problem in result.problems)


def test_points_must_agree_with_nbgrader(root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "01_pep8"
    shutil.copytree(root / "solutions" / "01_pep8", folder)
    spec_path = folder / "exercise.toml"
    spec_path.write_text(
        spec_path.read_text().replace("points = 3\nselect", "points = 2\nselect", 1)
    )
    problems = check_consistency(load_spec(spec_path), folder / "01_pep8.ipynb")
    assert any("worth 3 points in nbgrader but 2" in p for p in problems)


def test_the_magic_must_name_its_own_cell(root: Path, tmp_path: Path) -> None:
    folder = tmp_path / "01_pep8"
    shutil.copytree(root / "solutions" / "01_pep8", folder)
    notebook = folder / "01_pep8.ipynb"
    data = json.loads(notebook.read_text())
    for cell in data["cells"]:
        if "%%check check_imports" in "".join(cell["source"]):
            cell["source"] = "%%check check_layout\n"
    notebook.write_text(json.dumps(data))
    problems = check_consistency(load_spec(folder / "exercise.toml"), notebook)
    assert any("must start with '%%check check_imports'" in p for p in problems)


def test_the_shipped_source_is_consistent(root: Path) -> None:
    for spec_path in (root / "solutions").glob("*/exercise.toml"):
        spec = load_spec(spec_path)
        assert check_consistency(spec, spec.notebook_path) == []


def test_an_unknown_assignment_is_refused(root: Path) -> None:
    from autograder import BuildError

    with pytest.raises(BuildError, match="99_nope"):
        build(root, check=True, only=["99_nope"])
