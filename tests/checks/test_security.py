"""Do the security checks read their material as documented, hiding what is hidden?"""

from __future__ import annotations

import pytest

from autograder import split_tests
from autograder.checks._security import (
    Case,
    by_kind,
    clip,
    cut,
    describe_error,
    raised,
    read_cases,
    short,
)
from autograder.feedback import make_finding

CELL = """\
%%check sql
LOOKUPS = ["alice", "O'Brien"]
PAYLOADS = [
    "' OR 1=1 --",  # always true
    ("a", 1),
]
### BEGIN HIDDEN TESTS
PAYLOADS += [
    "' oR 1=1 --",  # mixed case
]
OTHER = ["not read"]
### END HIDDEN TESTS
"""


def test_lists_are_read_with_kinds_and_hidden_marks() -> None:
    found = read_cases(
        split_tests("sql", CELL), {"LOOKUPS": "ordinary", "PAYLOADS": "cell's"}
    )
    assert found["LOOKUPS"] == [Case("alice", "ordinary"), Case("O'Brien", "ordinary")]
    assert found["PAYLOADS"] == [
        Case("' OR 1=1 --", "always true"),
        Case(("a", 1), "cell's"),
        Case("' oR 1=1 --", "mixed case", hidden=True),
    ]


def test_absent_lists_and_absent_cells_are_empty() -> None:
    assert read_cases(None, {"READS": "x"}) == {"READS": []}
    assert read_cases(split_tests("c", "%%check c\n# x\n"), {"READS": "x"}) == {
        "READS": []
    }


@pytest.mark.parametrize(
    "cell",
    ["READS = list('ab')\n", "READS = [print('x')]\n", "READS = [\n"],
)
def test_material_that_is_no_literal_list_is_refused(cell: str) -> None:
    with pytest.raises(ValueError, match=r"READS|parse"):
        read_cases(split_tests("c", cell), {"READS": "x"})


def test_a_hidden_case_is_shown_by_its_kind_only() -> None:
    assert Case("' oR 1=1 --", "mixed case", hidden=True).shown("payload") == (
        "a hidden payload (mixed case)"
    )
    assert Case("../x", "parent").shown("path") == "the path `'../x'`"


def test_kinds_keep_the_order_they_first_appear_in() -> None:
    cases = [Case(1, "b"), Case(2, "a"), Case(3, "b")]
    assert list(by_kind(cases)) == ["b", "a"]
    assert [case.value for case in by_kind(cases)["b"]] == [1, 3]


def test_errors_match_by_class_name_subclasses_included() -> None:
    class UnsafePathError(ValueError):
        pass

    assert raised(UnsafePathError("x"), ["ValueError"])
    assert not raised(KeyError("x"), ["ValueError"])


def test_long_values_and_messages_are_cut_and_said_to_be() -> None:
    assert short("x" * 100).endswith("…")
    assert len(short("x" * 100)) == 60
    assert clip("abc") == "abc"
    error = FileNotFoundError(f"no file /tmp/scratch/{'d' * 80}")
    said = describe_error(error, lambda text: text.replace("/tmp/scratch", "{root}"))
    assert said.startswith("raised FileNotFoundError: no file {root}/ddd")
    assert said.endswith("…")
    findings = [make_finding("security.more-cut", count=1)] * 8
    kept = cut(findings, 8)
    assert len(kept) == 7
    assert kept[-1].message == "… and 2 more like these, not listed."
