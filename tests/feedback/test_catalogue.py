"""Does every catalogue entry render, and do families fall back sensibly?"""

import json
import tomllib
from pathlib import Path

import pytest

from autograder.feedback import Severity, load_catalogue, lookup, make_finding


@pytest.mark.parametrize("finding_id", sorted(load_catalogue()))
def test_every_entry_formats_with_its_own_fields(finding_id: str) -> None:
    entry = load_catalogue()[finding_id]
    fields = {name: f"<{name}>" for name in entry.fields()}
    finding = make_finding(finding_id.replace("*", "X123"), **fields)
    assert finding.message
    assert "{" not in finding.message.replace("{{", "")


def test_a_specific_code_uses_its_own_entry() -> None:
    entry = lookup("style.E711")
    assert "None" in entry.message
    assert entry.link == "01_pep8#Comparisons"


def test_an_unlisted_code_falls_back_to_its_family() -> None:
    finding = make_finding("style.E999", code="E999", text="oops")
    assert finding.message == "E999: oops."
    assert "ruff rule E999" in finding.hint


def test_an_unknown_family_is_an_error() -> None:
    with pytest.raises(KeyError):
        lookup("nonsense.thing")


def test_severities_are_ranked_most_urgent_first() -> None:
    assert [s.rank for s in Severity] == [0, 1, 2, 3]
    assert Severity.ESSENTIAL.rank < Severity.CELEBRATORY.rank


def _anchors(notebook: Path) -> set[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    anchors = set()
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        for line in "".join(cell["source"]).splitlines():
            if line.startswith("#"):
                anchors.add(line.lstrip("#").strip().replace(" ", "-"))
    return anchors


def test_every_link_to_an_existing_lesson_finds_its_heading(root: Path) -> None:
    broken = []
    for finding_id, entry in load_catalogue().items():
        slug, _, anchor = entry.link.partition("#")
        lesson = root / "lessons" / f"{slug}.ipynb"
        if entry.link and lesson.is_file() and anchor not in _anchors(lesson):
            broken.append(f"{finding_id} -> {entry.link}")
    assert broken == []


def test_every_link_option_of_an_exercise_finds_its_heading(root: Path) -> None:
    links = []
    for declared in sorted(root.glob("solutions/*/exercise.toml")):
        cells = tomllib.loads(declared.read_text(encoding="utf-8"))["cells"]
        for cell_id, cell in cells.items():
            links += [
                (cell_id, c["link"]) for c in cell.get("checks", []) if "link" in c
            ]
    broken = []
    for cell_id, link in links:
        slug, _, anchor = link.partition("#")
        if anchor not in _anchors(root / "lessons" / f"{slug}.ipynb"):
            broken.append(f"{cell_id} -> {link}")
    assert links
    assert broken == []
