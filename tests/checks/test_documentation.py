"""Do the documentation checks read a README and a changelog as a user would?

Each kind runs in-process on a small Markdown answer: readme-sections,
readme-accuracy, markdown-lint, readme-usage (its examples run against a tiny
package) and changelog-entry. The Markdown is parsed by markdown-it-py, so
structure that fools a regular expression (a heading inside a code block, a
setext title) is read right.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from autograder import Settings
from autograder.checks import Answer, CheckContext, CheckResult, build_check
from autograder.checks._markdown import NameSet, parse_markdown
from autograder.spec import AnswerSpec

SPEC = AnswerSpec("readme", "README", "your README", (), "markdown")

PACKAGE = '''"""A tiny package to document."""
import os

__version__ = "0.2.0"


def greet(name):
    """Say hello, in the language of TINYPKG_LANG (default en)."""
    word = {"en": "Hello", "fr": "Bonjour"}[os.environ.get("TINYPKG_LANG", "en")]
    return f"{word}, {name}!"
'''

README = """\
# tinypkg

Greets people.

## Installation

```console
$ pip install tiny-pkg
```

## Usage

```pycon
>>> from tinypkg import greet
>>> greet("Ada")
'Hello, Ada!'
```

```python
message = greet("Bob")
assert message.startswith("Hello")
```

```pycon
>>> greet(message[:3])
'Hello, Hel!'
```

## Configuration

- `TINYPKG_LANG`: the language, `en` or `fr` (default `en`).

## License

MIT
"""


def _run(
    kind: str,
    options: dict[str, Any],
    text: str,
    tmp_path: Path,
    settings: Settings,
) -> CheckResult:
    path = tmp_path / SPEC.filename
    path.write_text(text, encoding="utf-8")
    answer = Answer(SPEC, text, path)
    context = CheckContext(
        workdir=tmp_path,
        answer=answer,
        answers={SPEC.grade_id: answer},
        tests=None,
        settings=settings,
        on_event=lambda event: None,
    )
    return build_check(kind, options).run(context)


def _ids(result: CheckResult) -> list[str]:
    return [finding.id for finding in result.findings]


def test_headings_in_code_blocks_are_not_sections() -> None:
    doc = parse_markdown("Title\n=====\n\n```markdown\n## Usage\n```\n")
    assert [(h.level, h.title, h.setext) for h in doc.headings] == [(1, "Title", True)]
    assert doc.find(NameSet.parse("Usage")) is None


def test_a_section_title_matches_without_case_or_punctuation() -> None:
    names = NameSet.parse("Quick start|Usage")
    assert names.matches("🚀 Quick-Start:")
    assert not names.matches("Quick starting")
    assert str(names) == "`Quick start` (or `Usage`)"


# --- readme-sections ---------------------------------------------------------------


def test_a_complete_readme_has_every_section(
    tmp_path: Path, settings: Settings
) -> None:
    result = _run("readme-sections", {}, README, tmp_path, settings)
    assert result.fraction == 1.0
    assert _ids(result) == ["docs.sections-complete"]


def test_a_missing_and_an_empty_section_each_cost_a_share(
    tmp_path: Path, settings: Settings
) -> None:
    text = README.replace("## License\n\nMIT\n", "## License\n").replace(
        "## Configuration", "## Tuning"
    )
    result = _run("readme-sections", {}, text, tmp_path, settings)
    assert result.fraction == pytest.approx(4 / 6)
    assert sorted(_ids(result)) == ["docs.section-empty", "docs.section-missing"]
    [empty] = [f for f in result.findings if f.id == "docs.section-empty"]
    assert empty.location is not None
    assert text.splitlines()[empty.location.line - 1] == "## License"


def test_an_overview_may_be_a_section_instead_of_text_under_the_title(
    tmp_path: Path, settings: Settings
) -> None:
    text = README.replace("Greets people.\n", "## About\n\nGreets people.\n")
    assert _run("readme-sections", {}, text, tmp_path, settings).fraction == 1.0
    bare = README.replace("Greets people.\n", "")
    result = _run("readme-sections", {}, bare, tmp_path, settings)
    assert _ids(result) == ["docs.readme-no-overview"]


# --- readme-accuracy ---------------------------------------------------------------

FACTS = {
    "distribution": "tiny-pkg",
    "environment": ["TINYPKG_LANG=en"],
    "license": "MIT",
}


def test_true_facts_earn_everything(tmp_path: Path, settings: Settings) -> None:
    result = _run("readme-accuracy", FACTS, README, tmp_path, settings)
    assert result.fraction == 1.0


@pytest.mark.parametrize(
    "case",
    [
        ("pip install tiny-pkg", "pip install tinypkg", "docs.install-wrong-name", 2),
        (
            "```console\n$ pip install tiny-pkg\n```",
            "Use pip.",
            "docs.install-no-command",
            2,
        ),
        (
            "the language, `en` or `fr` (default `en`)",
            "the language",
            "docs.env-no-default",
            2.5,
        ),
        ("`TINYPKG_LANG`", "`TINYPKG_LANGUAGE`", "docs.env-undocumented", 1),
        ("\nMIT\n", "\nGPL-3.0\n", "docs.license-wrong", 2),
    ],
)
def test_each_wrong_fact_is_named(
    tmp_path: Path, settings: Settings, case: tuple[str, str, str, float]
) -> None:
    old, new, finding, fraction = case
    text = README.replace(old, new)
    result = _run("readme-accuracy", FACTS, text, tmp_path, settings)
    assert finding in _ids(result)
    assert result.fraction == pytest.approx(fraction / 3)


def test_a_variable_the_package_never_reads_takes_an_item_away(
    tmp_path: Path, settings: Settings
) -> None:
    text = README.replace(
        "(default `en`).", "(default `en`).\n- `TINYPKG_COLOUR`: unused (default red)."
    )
    result = _run("readme-accuracy", FACTS, text, tmp_path, settings)
    assert _ids(result) == ["docs.env-unknown"]
    assert "`TINYPKG_COLOUR`" in result.findings[0].message
    assert result.fraction == pytest.approx(2 / 3)


def test_an_environment_item_needs_a_default() -> None:
    with pytest.raises(ValueError, match="NAME=default"):
        build_check("readme-accuracy", {**FACTS, "environment": ["TINYPKG_LANG"]})


# --- markdown-lint -----------------------------------------------------------------


def test_a_clean_document_passes_the_lint(tmp_path: Path, settings: Settings) -> None:
    result = _run("markdown-lint", {}, README, tmp_path, settings)
    assert _ids(result) == ["docs.lint-clean"]


def test_each_lint_rule_is_reported_at_its_line(
    tmp_path: Path, settings: Settings
) -> None:
    text = (
        "Intro first.\n\n# Title\n\n#### Deep\n\n```\ncode\n```\n\n"
        "## Part\n\n### Notes\n\n## Part2\n\n### Notes\n\n### Notes\n\n# Again\n"
    )
    result = _run("markdown-lint", {"allowance": 10}, text, tmp_path, settings)
    found = {(f.id, f.location.line if f.location else None) for f in result.findings}
    assert found == {
        ("docs.MD041", 1),
        ("docs.MD001", 5),
        ("docs.MD040", 7),
        ("docs.MD024", 19),
        ("docs.MD025", 21),
    }
    assert result.fraction == pytest.approx(0.5)


# --- readme-usage ------------------------------------------------------------------

USAGE = {"package": "tinypkg", "source": PACKAGE, "min_examples": 2}


def test_usage_examples_run_in_order_in_one_namespace(
    tmp_path: Path, settings: Settings
) -> None:
    result = _run("readme-usage", USAGE, README, tmp_path, settings)
    assert _ids(result) == ["docs.usage-passed"]
    assert result.fraction == 1.0


def test_a_wrong_output_is_shown_at_its_line(
    tmp_path: Path, settings: Settings
) -> None:
    text = README.replace("'Hello, Ada!'", "'Hi, Ada!'")
    result = _run(
        "readme-usage", {**USAGE, "min_examples": 1}, text, tmp_path, settings
    )
    [finding] = result.findings
    assert finding.id == "docs.usage-output-differs"
    assert finding.location is not None
    assert text.splitlines()[finding.location.line - 1] == '>>> greet("Ada")'
    assert "`'Hi, Ada!'`" in finding.message
    assert "`'Hello, Ada!'`" in finding.message
    assert result.fraction == pytest.approx(3 / 4)  # import, plain block, last one
    strict = _run("readme-usage", USAGE, text, tmp_path, settings)
    assert _ids(strict) == ["docs.usage-too-few", "docs.usage-output-differs"]
    assert strict.fraction == 0.0


def test_a_failing_plain_block_points_at_its_line(
    tmp_path: Path, settings: Settings
) -> None:
    text = README.replace('assert message.startswith("Hello")', "greet(nobody)")
    result = _run(
        "readme-usage", {**USAGE, "min_examples": 1}, text, tmp_path, settings
    )
    [finding] = [f for f in result.findings if f.id == "docs.usage-block-raised"]
    assert finding.location is not None
    assert text.splitlines()[finding.location.line - 1] == "greet(nobody)"
    assert "NameError" in finding.message


def test_examples_run_without_the_users_settings(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TINYPKG_LANG", "fr")
    result = _run("readme-usage", USAGE, README, tmp_path, settings)
    assert result.fraction == 1.0
    assert "TINYPKG_LANG" not in os.environ


def test_plain_blocks_alone_prove_nothing(tmp_path: Path, settings: Settings) -> None:
    text = README.replace(">>> ", "").replace("'Hello, Ada!'\n", "")
    result = _run("readme-usage", USAGE, text, tmp_path, settings)
    assert _ids(result)[0] == "docs.usage-too-few"
    assert result.fraction == 0.0


def test_no_usage_section_is_essential(tmp_path: Path, settings: Settings) -> None:
    text = README.replace("## Usage", "## Tour")
    result = _run("readme-usage", USAGE, text, tmp_path, settings)
    assert _ids(result) == ["docs.usage-missing"]


# --- changelog-entry ---------------------------------------------------------------

CHANGELOG = """\
# Changelog

## [Unreleased]

## [0.2.0] - 2025-01-31

### Added

- French greetings, with `TINYPKG_LANG=fr`.

### Fixed

- Names with spaces are greeted whole.

## [0.1.0] - 2024-12-01

### Added

- `greet()`.
"""
ENTRY = {
    "version": "0.2.0",
    "expect": ["Added: French|fr", "Fixed|Changed: space"],
    "leave_out": ["refactor"],
}


def test_a_keep_a_changelog_entry_earns_everything(
    tmp_path: Path, settings: Settings
) -> None:
    result = _run("changelog-entry", ENTRY, CHANGELOG, tmp_path, settings)
    assert _ids(result) == ["docs.changelog-good"]
    assert result.fraction == 1.0


@pytest.mark.parametrize(
    ("old", "new", "finding"),
    [
        ("## [0.2.0] - 2025-01-31", "## 0.2.0 - 2025-01-31", "docs.changelog-heading"),
        (
            "## [0.2.0] - 2025-01-31",
            "## [0.2.0] - 31/01/2025",
            "docs.changelog-heading",
        ),
        ("### Fixed", "### Bug fixes", "docs.changelog-section-name"),
        (
            "- Names with spaces are greeted whole.\n",
            "",
            "docs.changelog-section-empty",
        ),
    ],
)
def test_each_departure_from_the_form_costs_a_quarter(
    tmp_path: Path, settings: Settings, old: str, new: str, finding: str
) -> None:
    text = CHANGELOG.replace(old, new)
    result = _run("changelog-entry", ENTRY, text, tmp_path, settings)
    assert finding in _ids(result)
    assert result.fraction < 1.0


def test_a_change_under_the_wrong_section_is_misplaced(
    tmp_path: Path, settings: Settings
) -> None:
    text = CHANGELOG.replace("### Fixed", "### Removed")
    result = _run("changelog-entry", ENTRY, text, tmp_path, settings)
    assert _ids(result) == ["docs.changelog-change-misplaced"]
    assert result.fraction == pytest.approx(1 - 0.25 / 2)


def test_an_internal_change_costs_like_a_missing_one(
    tmp_path: Path, settings: Settings
) -> None:
    text = CHANGELOG.replace("whole.", "whole.\n- Refactor the greeting table.")
    result = _run("changelog-entry", ENTRY, text, tmp_path, settings)
    assert _ids(result) == ["docs.changelog-internal"]
    assert result.fraction == pytest.approx(1 - 0.25 / 2)


def test_an_older_entry_on_top_is_not_newest_first(
    tmp_path: Path, settings: Settings
) -> None:
    old = "## [0.1.0] - 2024-12-01\n\n### Added\n\n- `greet()`.\n"
    text = CHANGELOG.replace(old, "").replace(
        "## [Unreleased]\n", "## [Unreleased]\n\n" + old
    )
    result = _run("changelog-entry", ENTRY, text, tmp_path, settings)
    assert _ids(result) == ["docs.changelog-not-newest-first"]


def test_without_an_entry_for_the_version_nothing_counts(
    tmp_path: Path, settings: Settings
) -> None:
    text = CHANGELOG.replace("## [0.2.0] - 2025-01-31\n", "")
    result = _run("changelog-entry", ENTRY, text, tmp_path, settings)
    assert _ids(result) == ["docs.changelog-no-entry"]
    assert result.fraction == 0.0
    assert "`[0.1.0] - 2024-12-01`" in result.findings[0].message


@pytest.mark.parametrize(
    "options",
    [
        {"version": "1.0"},
        {"version": "1.0.0", "expect": ["Improved: x"]},
        {"version": "1.0.0", "expect": ["Added"]},
    ],
)
def test_a_bad_declaration_is_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="changelog-entry"):
        build_check("changelog-entry", options)
