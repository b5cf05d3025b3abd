"""Is feedback rendered safely, readably and honestly?"""

from autograder.feedback import (
    CellReport,
    CheckOutcome,
    Location,
    Mode,
    cut,
    make_finding,
    render_html,
    render_text,
)


def _report(points: float, *, hidden: bool = True, message: str = "x") -> CellReport:
    finding = make_finding(
        "tests.failed",
        Location("inventory", "your module", 3),
        name="t",
        detail=message,
    )
    return CellReport(
        exercise="01_pep8",
        cell="check_behaviour",
        title="Behaviour",
        mode=Mode.PUBLIC,
        outcomes=(CheckOutcome("tests (pytest)", points, 3.0, (finding,)),),
        has_hidden_tests=hidden,
    )


def test_learner_text_is_escaped_in_html() -> None:
    html = render_html(_report(0, message="<script>alert(1)</script>"))
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_passing_public_checks_say_more_run_at_grading() -> None:
    assert "public checks passed — more checks run at grading" in render_text(
        _report(3)
    )


def test_a_cell_without_hidden_tests_says_all_passed() -> None:
    assert "all checks passed" in render_text(_report(3, hidden=False))


def test_text_names_the_cell_and_line() -> None:
    text = render_text(_report(1.5))
    assert "1.5/3 points" in text
    assert "your module (cell `inventory`), line 3" in text


def test_long_text_is_cut_and_the_cut_is_said() -> None:
    shortened = cut("a" * 50, 10)
    assert shortened.startswith("a" * 10)
    assert "40 more characters cut" in shortened
    assert cut("short", 10) == "short"


def test_html_links_to_the_lesson_when_it_resolves() -> None:
    html = render_html(_report(0), resolve=lambda link: f"../lessons/{link}")
    assert 'href="../lessons/00_welcome#Reading-feedback"' in html
    assert "href" not in render_html(_report(0))


def test_html_carries_the_score_as_data() -> None:
    assert 'data-score="1.5"' in render_html(_report(1.5))


def test_backticked_names_render_as_code_after_escaping() -> None:
    html = render_html(_report(0, message="`a<b` is wrong"))
    assert "<code>a&lt;b</code>" in html
