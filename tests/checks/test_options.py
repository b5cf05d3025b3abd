"""Do a check's options read as declared, and refuse what is not?"""

from collections.abc import Callable

import pytest

from autograder.checks import Options


def test_text_and_number_read_declared_values_and_defaults() -> None:
    options = Options("demo", {"name": "summarise", "ratio": 2})
    assert options.text("name") == "summarise"
    assert options.text("other", "fallback") == "fallback"
    assert options.number("ratio", 1.5) == 2.0
    assert options.number("absent", 1.5) == 1.5
    options.finish()


@pytest.mark.parametrize(
    ("raw", "read"),
    [
        ({}, lambda o: o.text("name")),
        ({"name": 3}, lambda o: o.text("name")),
        ({"ratio": "2"}, lambda o: o.number("ratio", 1.0)),
        ({"ratio": True}, lambda o: o.number("ratio", 1.0)),
        ({"ratio": 0.5}, lambda o: o.number("ratio", 1.0, minimum=1)),
    ],
)
def test_a_missing_or_mistyped_option_is_refused(
    raw: dict[str, object], read: Callable[[Options], object]
) -> None:
    with pytest.raises(ValueError, match="option"):
        read(Options("demo", raw))


def test_an_option_nobody_reads_is_refused() -> None:
    options = Options("demo", {"name": "x", "typo": 1})
    options.text("name")
    with pytest.raises(ValueError, match="typo"):
        options.finish()


def test_a_link_reads_as_slug_and_heading_or_stays_empty() -> None:
    assert Options("demo", {"link": "18_refactoring#Guard-clauses"}).link() == (
        "18_refactoring#Guard-clauses"
    )
    assert Options("demo", {}).link() == ""


@pytest.mark.parametrize("link", ["no-anchor", "#Heading", "slug#", "a#b#c", 3])
def test_a_link_without_one_slug_and_one_heading_is_refused(link: object) -> None:
    with pytest.raises(ValueError, match="option 'link' must be"):
        Options("demo", {"link": link}).link()
