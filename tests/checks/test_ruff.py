"""Does the ruff check report findings at the learner's lines, scored by allowance?"""

from pathlib import Path

import pytest

from autograder import Settings
from autograder.checks import build_check

from .helpers import run_check

MESSY = "import os, sys\nx = None\nif x == None: print(x)\n"


def test_findings_point_at_the_line_in_the_cell(
    tmp_path: Path, settings: Settings
) -> None:
    result = run_check(
        "ruff", {"select": ["E4", "E7"]}, MESSY, workdir=tmp_path, settings=settings
    )
    where = {(f.id, f.location.line) for f in result.findings if f.location}
    assert ("style.E401", 1) in where
    assert ("style.E711", 3) in where
    assert ("style.E701", 3) in where


def test_points_fall_linearly_with_findings(tmp_path: Path, settings: Settings) -> None:
    result = run_check(
        "ruff",
        {"select": ["E4", "E7"], "allowance": 4},
        MESSY,
        workdir=tmp_path,
        settings=settings,
    )
    assert result.fraction == pytest.approx(1 - 3 / 4)


def test_clean_code_earns_everything(tmp_path: Path, settings: Settings) -> None:
    result = run_check(
        "ruff", {"select": ["E", "W"]}, "x = 1\n", workdir=tmp_path, settings=settings
    )
    assert result.fraction == 1.0
    assert [f.id for f in result.findings] == ["style.clean"]


def test_only_selected_rules_count(tmp_path: Path, settings: Settings) -> None:
    result = run_check(
        "ruff", {"select": ["W"]}, MESSY, workdir=tmp_path, settings=settings
    )
    assert result.fraction == 1.0


def test_preview_rules_need_preview(tmp_path: Path, settings: Settings) -> None:
    source = "x=1\n"
    off = run_check(
        "ruff", {"select": ["E2"]}, source, workdir=tmp_path, settings=settings
    )
    on = run_check(
        "ruff",
        {"select": ["E2"], "preview": True},
        source,
        workdir=tmp_path,
        settings=settings,
    )
    assert off.fraction == 1.0
    assert "style.E225" in {f.id for f in on.findings}


@pytest.mark.parametrize(
    "options", [{}, {"select": []}, {"select": ["E"], "colour": True}, {"select": "E"}]
)
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="ruff"):
        build_check("ruff", options)


def test_noqa_comments_do_not_silence_findings(
    tmp_path: Path, settings: Settings
) -> None:
    source = "x = None\nif x == None:  # noqa: E711\n    pass\n"
    result = run_check(
        "ruff", {"select": ["E7"]}, source, workdir=tmp_path, settings=settings
    )
    assert "style.E711" in {f.id for f in result.findings}


@pytest.mark.parametrize(
    ("options", "label"),
    [
        ({"select": ["E", "W", "I"]}, "ruff E,W,I (79 columns)"),
        ({"select": ["E501"], "line_length": 99}, "ruff E501 (99 columns)"),
        ({"select": ["E4", "E7", "E9"]}, "ruff E4,E7,E9"),
        ({"select": ["PLR2004"]}, "ruff PLR2004"),
        ({"select": ["E"], "ignore": ["E501"]}, "ruff E"),
    ],
)
def test_the_label_names_the_line_length_only_where_a_rule_uses_it(
    options: dict[str, object], label: str
) -> None:
    assert build_check("ruff", options).label == label
