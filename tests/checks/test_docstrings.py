"""Do the docstring checks (ruff D, pydoclint) find what they should, where they should?

Both run the real tools: ruff as a subprocess, pydoclint in-process.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder import Settings
from autograder.checks import build_check

from .helpers import run_check

GOOD = '''"""Prices of a small shop."""


def net(price, rate=0.2):
    """Take the tax out of a gross price.

    Args:
        price: The gross price.
        rate: The tax rate, as a fraction.

    Returns:
        The net price, rounded to cents.

    Raises:
        ValueError: The rate is negative.
    """
    if rate < 0:
        raise ValueError("negative rate")
    return round(price / (1 + rate), 2)
'''

UNDOCUMENTED = "def net(price, rate=0.2):\n    return round(price / (1 + rate), 2)\n"

ARG_MISSING = GOOD.replace("        rate: The tax rate, as a fraction.\n", "")
ARG_RENAMED = GOOD.replace("        rate: The tax", "        tax: The tax")
RAISES_MISSING = GOOD.replace(
    "\n    Raises:\n        ValueError: The rate is negative.\n", ""
)
RAISES_WRONG = GOOD.replace("ValueError: The rate", "KeyError: The rate")


def ids(result: object) -> list[str]:
    return [f.id for f in result.findings]  # type: ignore[attr-defined]


# --- ruff D rules -------------------------------------------------------------


def test_a_clean_module_earns_everything(tmp_path: Path, settings: Settings) -> None:
    result = run_check("docstring-style", {}, GOOD, workdir=tmp_path, settings=settings)
    assert result.fraction == 1.0
    assert ids(result) == ["docstrings.style-clean"]


def test_missing_docstrings_are_found_at_their_lines(
    tmp_path: Path, settings: Settings
) -> None:
    result = run_check(
        "docstring-style", {}, UNDOCUMENTED, workdir=tmp_path, settings=settings
    )
    where = {(f.id, f.location.line) for f in result.findings if f.location}
    assert where == {("docstrings.D100", 1), ("docstrings.D103", 1)}
    assert result.fraction == pytest.approx(1 - 2 / 10)


def test_the_google_convention_asks_for_every_argument(
    tmp_path: Path, settings: Settings
) -> None:
    google = run_check(
        "docstring-style", {}, ARG_MISSING, workdir=tmp_path, settings=settings
    )
    pep257 = run_check(
        "docstring-style",
        {"convention": "pep257"},
        ARG_MISSING,
        workdir=tmp_path,
        settings=settings,
    )
    [finding] = google.findings
    assert finding.id == "docstrings.D417"
    assert finding.location is not None
    assert finding.location.line == 4
    assert "`rate`" in finding.message
    assert pep257.fraction == 1.0


def test_numpy_rules_stay_off_under_the_google_convention(
    tmp_path: Path, settings: Settings
) -> None:
    google = run_check("docstring-style", {}, GOOD, workdir=tmp_path, settings=settings)
    numpy = run_check(
        "docstring-style",
        {"convention": "numpy"},
        GOOD,
        workdir=tmp_path,
        settings=settings,
    )
    assert google.fraction == 1.0
    assert "docstrings.D407" in ids(numpy)  # numpy wants dashed underlines


def test_style_points_fall_with_each_finding(
    tmp_path: Path, settings: Settings
) -> None:
    result = run_check(
        "docstring-style",
        {"allowance": 4},
        UNDOCUMENTED,
        workdir=tmp_path,
        settings=settings,
    )
    assert result.fraction == pytest.approx(1 - 2 / 4)


def test_noqa_does_not_buy_docstring_points(tmp_path: Path, settings: Settings) -> None:
    source = '"""Shop."""\n\n\ndef net(price):  # noqa: D103\n    return price\n'
    result = run_check(
        "docstring-style", {}, source, workdir=tmp_path, settings=settings
    )
    assert ids(result) == ["docstrings.D103"]


@pytest.mark.parametrize(
    "options",
    [{"convention": "sphinx"}, {"convention": 1}, {"select": []}, {"colour": True}],
)
def test_bad_style_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="docstring-style"):
        build_check("docstring-style", options)


def test_the_label_names_the_convention() -> None:
    assert build_check("docstring-style", {}).label == "ruff D (google convention)"


# --- pydoclint ------------------------------------------------------------------


def test_matching_docstrings_earn_everything(
    tmp_path: Path, settings: Settings
) -> None:
    result = run_check("pydoclint", {}, GOOD, workdir=tmp_path, settings=settings)
    assert result.fraction == 1.0
    assert ids(result) == ["docstrings.content-clean"]


def test_a_renamed_argument_is_named_once_at_the_def_line(
    tmp_path: Path, settings: Settings
) -> None:
    result = run_check(
        "pydoclint", {}, ARG_RENAMED, workdir=tmp_path, settings=settings
    )
    [finding] = result.findings
    assert finding.id == "docstrings.DOC103"
    assert finding.location is not None
    assert finding.location.line == 4
    assert "[rate]" in finding.message
    assert "[tax]" in finding.message
    assert "jsh9.github.io" not in finding.message


def test_a_missing_raises_section_is_found(tmp_path: Path, settings: Settings) -> None:
    result = run_check(
        "pydoclint", {}, RAISES_MISSING, workdir=tmp_path, settings=settings
    )
    assert ids(result) == ["docstrings.DOC501"]
    assert result.fraction == pytest.approx(1 - 1 / 5)


def test_a_raises_section_naming_the_wrong_exception_is_found(
    tmp_path: Path, settings: Settings
) -> None:
    result = run_check(
        "pydoclint", {}, RAISES_WRONG, workdir=tmp_path, settings=settings
    )
    assert ids(result) == ["docstrings.DOC503"]
    assert "KeyError" in result.findings[0].message
    assert "ValueError" in result.findings[0].message


def test_raises_are_not_compared_when_told_not_to(
    tmp_path: Path, settings: Settings
) -> None:
    result = run_check(
        "pydoclint",
        {"check_raises": False},
        RAISES_MISSING,
        workdir=tmp_path,
        settings=settings,
    )
    assert result.fraction == 1.0


def test_an_undocumented_function_earns_nothing(
    tmp_path: Path, settings: Settings
) -> None:
    result = run_check(
        "pydoclint", {"allowance": 1}, UNDOCUMENTED, workdir=tmp_path, settings=settings
    )
    assert ids(result) == ["docstrings.nothing-to-compare"]
    assert "`net`" in result.findings[0].message
    assert result.fraction == 0.0
    lenient = run_check(
        "pydoclint",
        {"require_docstrings": False},
        UNDOCUMENTED,
        workdir=tmp_path,
        settings=settings,
    )
    assert lenient.fraction == 1.0


def test_private_nested_and_accessor_functions_need_no_docstring(
    tmp_path: Path, settings: Settings
) -> None:
    source = '''"""Shop."""


class Basket:
    """A basket."""

    def __init__(self):
        """Start empty."""
        self._items = []

    @property
    def size(self):
        """The number of items."""
        return len(self._items)

    @size.setter
    def size(self, value):
        self._items = self._items[:value]

    def _grow(self, item):
        self._items.append(item)


def _helper():
    def inner():
        return 1

    return inner
'''
    result = run_check("pydoclint", {}, source, workdir=tmp_path, settings=settings)
    assert result.fraction == 1.0, ids(result)


def test_the_score_counts_definitions_not_messages(
    tmp_path: Path, settings: Settings
) -> None:
    both = ARG_RENAMED.replace(
        "\n    Raises:\n        ValueError: The rate is negative.\n", ""
    )
    result = run_check(
        "pydoclint", {"allowance": 2}, both, workdir=tmp_path, settings=settings
    )
    assert ids(result) == ["docstrings.DOC103", "docstrings.DOC501"]
    assert result.fraction == pytest.approx(0.5)


def test_summary_only_docstrings_are_checked_unless_told_otherwise(
    tmp_path: Path, settings: Settings
) -> None:
    source = '"""Shop."""\n\n\ndef net(price):\n    """Take the tax out."""\n'
    source += "    return price / 1.2\n"
    strict = run_check("pydoclint", {}, source, workdir=tmp_path, settings=settings)
    lenient = run_check(
        "pydoclint",
        {"skip_short_docstrings": True},
        source,
        workdir=tmp_path,
        settings=settings,
    )
    assert ids(strict) == ["docstrings.DOC103", "docstrings.DOC201"]
    assert lenient.fraction == 1.0


def test_type_hints_are_neither_required_nor_refused_by_default(
    tmp_path: Path, settings: Settings
) -> None:
    typed = GOOD.replace(
        "def net(price, rate=0.2):",
        "def net(price: float, rate: float = 0.2) -> float:",
    )
    typed_docs = GOOD.replace("price: The", "price (float): The")
    for source in (typed, typed_docs):
        result = run_check("pydoclint", {}, source, workdir=tmp_path, settings=settings)
        assert result.fraction == 1.0, ids(result)
    required = run_check(
        "pydoclint",
        {"type_hints_in_signature": True},
        GOOD,
        workdir=tmp_path,
        settings=settings,
    )
    assert "docstrings.DOC106" in ids(required)


def test_an_args_section_in_the_class_belongs_in_init(
    tmp_path: Path, settings: Settings
) -> None:
    source = '''"""Shop."""


class Basket:
    """A basket.

    Args:
        owner: Who shops.
    """

    def __init__(self, owner):
        """Start empty."""
        self.owner = owner
'''
    result = run_check("pydoclint", {}, source, workdir=tmp_path, settings=settings)
    assert ids(result) == ["docstrings.DOC304", "docstrings.DOC103"]


def test_noqa_does_not_silence_pydoclint(tmp_path: Path, settings: Settings) -> None:
    source = RAISES_MISSING.replace(
        '    """\n    if rate', '    """  # noqa: DOC501\n    if rate'
    )
    assert "noqa" in source
    result = run_check("pydoclint", {}, source, workdir=tmp_path, settings=settings)
    assert ids(result) == ["docstrings.DOC501"]


def test_a_syntax_error_is_a_finding(tmp_path: Path, settings: Settings) -> None:
    result = run_check(
        "pydoclint", {}, "def f(:\n    pass\n", workdir=tmp_path, settings=settings
    )
    assert ids(result) == ["answer.syntax-error"]
    assert result.fraction == 0.0


@pytest.mark.parametrize(
    "options",
    [{"style": "javadoc"}, {"check_raises": "yes"}, {"allowance": 0}, {"strict": True}],
)
def test_bad_pydoclint_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="pydoclint"):
        build_check("pydoclint", options)
