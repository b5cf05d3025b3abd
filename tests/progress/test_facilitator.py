"""Does the facilitator's panel show the team report and refresh on demand?"""

from __future__ import annotations

from pathlib import Path

from autograder.progress import ProgressStore, export_progress, team_panel


def test_refresh_picks_up_files_that_arrived_since(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    panel = team_panel(folder, tmp_path / "gradebook.db", tmp_path / "out")
    assert "no folder" in panel.status.value
    assert "no gradebook" in panel.status.value
    assert panel.report.learners == ()

    store = ProgressStore(tmp_path / "ada.db")
    store.record("01_pep8", "check_imports", 1, 1)
    export_progress(store, folder / "ada.json", "Ada")
    panel.refresh_button.click()
    assert [learner.name for learner in panel.report.learners] == ["Ada"]
    assert "<td style='background:" in panel.content.value
    assert "data:image/png;base64," in panel.content.value
    assert "no folder" not in panel.status.value
    assert repr(panel) == "Team progress: 1 learner(s)"

    panel.save_button.click()
    assert "Saved" in panel.status.value
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        "team-report.csv",
        "team-report.html",
        "team-report.png",
    ]
    panel.close()
