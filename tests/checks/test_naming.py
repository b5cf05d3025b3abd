"""Does the naming check find cryptic names, and bools that are no questions?"""

from pathlib import Path

import pytest

from autograder import Settings
from autograder.checks import build_check
from autograder.checks._naming import NamingCheck

from .helpers import run_check


def _reported(source: str, **options: object) -> list[tuple[str, str]]:
    """Run the check's review and give (rule, name) for each name reported."""
    return [(f.rule, f.binding.name) for f in NamingCheck(options).review(source)]


CRYPTIC = """\
D = 10.0
data2 = {"U20": 2700}


def p(s):
    l = [x.strip() for x in s.split(";")]
    ok = len(l) == 4
    return l if ok else None
"""


def test_each_bad_name_is_reported_at_its_line_with_its_role_and_scope(
    tmp_path: Path, settings: Settings
) -> None:
    result = run_check("naming", {}, CRYPTIC, workdir=tmp_path, settings=settings)
    found = [
        (f.id, f.location.line, f.location.column)
        for f in result.findings
        if f.location is not None
    ]
    assert found == [
        ("naming.one-letter", 1, 1),
        ("naming.vague", 2, 1),
        ("naming.one-letter", 5, 5),
        ("naming.one-letter", 5, 7),
        ("naming.one-letter", 6, 5),
        ("naming.one-letter", 6, 24),
        ("naming.predicate", 7, 5),
    ]
    by_line = {f.location.line: f for f in result.findings if f.location}  # last wins
    assert by_line[5].message.startswith("`s`, a parameter in `p`, is one letter long")
    assert by_line[6].message.startswith("`x`, a loop variable in a comprehension")
    assert by_line[2].message.startswith(
        "`data2`, a variable at module level, is a vague name (`data` is on the list)"
    )
    assert by_line[7].message == (
        "`ok`, a variable in `p`, holds a bool (it is assigned `len(l) == 4`) but "
        "does not read as a yes/no question. Expected a yes/no question, starting "
        "with `is_`, `has_`, `can_`…, such as `is_valid` or `has_errors`."
    )
    assert result.fraction == 0


def test_a_comprehension_variable_is_placed_in_its_comprehension(
    tmp_path: Path, settings: Settings
) -> None:
    result = run_check("naming", {}, CRYPTIC, workdir=tmp_path, settings=settings)
    (finding,) = [f for f in result.findings if f.location and f.location.column == 24]
    assert "`x`, a loop variable in a comprehension in `p`" in finding.message


def test_loop_indices_and_underscore_may_be_one_letter_but_only_in_loops() -> None:
    source = """\
for i in range(3):
    for _ in range(2):
        pass
pairs = [(i, j) for i in range(2) for j in range(2)]
k = 0
"""
    assert _reported(source) == [("one-letter", "k")]


def test_a_loop_variable_is_told_the_singular_of_what_it_loops_over() -> None:
    check = NamingCheck({})
    (finding,) = check.review("for x in orders:\n    print(x)\n")
    assert check.expected(finding) == "the singular of `orders`: `for order in orders`"


def test_every_place_that_binds_a_name_is_read() -> None:
    source = """\
import numpy as n
from os import path as p


class C:
    v: int = 0

    def m(self, a, *b, c=1, **d):
        self.e = a
        with open(a) as f:
            pass
        try:
            pass
        except ValueError as g:
            pass
        if (h := len(b)) > 1:
            pass
        match c:
            case [q, *r]:
                pass
        return lambda s: s
"""
    names = [name for rule, name in _reported(source)]
    assert names == list("npCvmabcdefghqrs")


def test_a_name_is_reported_once_per_scope_at_its_first_binding() -> None:
    source = """\
def first(tmp):
    tmp = tmp + 1
    tmp += 1
    return tmp


def second():
    tmp = 2
    return tmp
"""
    found = NamingCheck({}).review(source)
    assert [(f.binding.name, f.binding.line, f.scope) for f in found] == [
        ("tmp", 1, "first"),
        ("tmp", 8, "second"),
    ]


@pytest.mark.parametrize(
    "name", ["data", "DATA", "_tmp", "data2", "obj_2", "Foo", "temp__"]
)
def test_vague_names_are_matched_without_case_underscores_or_number(
    name: str,
) -> None:
    assert _reported(f"{name} = 1\n") == [("vague", name)]


@pytest.mark.parametrize(
    "name", ["temperature", "data_points", "total_price", "raw_bytes", "tmpl"]
)
def test_a_name_that_only_contains_a_vague_word_is_fine(name: str) -> None:
    assert _reported(f"{name} = 1\n") == []


def test_the_vague_list_is_an_option() -> None:
    assert _reported("item = 1\ndata = 2\n", vague=["item"]) == [("vague", "item")]


@pytest.mark.parametrize("name", ["line2", "order_1", "x1", "Total3"])
def test_a_name_ending_in_a_number_is_reported(name: str) -> None:
    assert _reported(f"{name} = 1\n") == [("numbered", name)]


@pytest.mark.parametrize("name", ["sha256", "digest_sha256", "utf8_text", "as_utf8"])
def test_a_word_with_digits_is_not_a_number(name: str) -> None:
    assert _reported(f"{name} = 1\n") == []


def test_digit_terms_and_rules_are_options() -> None:
    source = "line2 = 1\nmd5 = 2\n"
    assert _reported(source, digit_terms=["line2"]) == [("numbered", "md5")]
    assert _reported(source, rules=["one-letter", "vague"]) == []


BOOLEANS = """\
def is_even(number: int) -> bool:
    return number % 2 == 0


def even(number):
    return number % 2 == 0


def check(number):
    return is_even(number) and number > 2


def count(numbers):
    return len(numbers)


valid = even(3)
ready: bool = compute()
done = not valid
same = isinstance(valid, bool)
starts = "abc".startswith("a")
numeric = "12".isdigit()
regular = path.is_file()
either = valid if ready else done
size = count([])
maybe = valid or size
changed = False
changed |= size > 1
"""


def test_what_holds_a_bool_is_decided_precisely() -> None:
    reported = [name for rule, name in _reported(BOOLEANS) if rule == "predicate"]
    assert reported == [
        "even",
        "check",
        "valid",
        "ready",
        "done",
        "same",
        "starts",
        "numeric",
        "regular",
        "either",
        "changed",
    ]


def test_the_reason_a_name_holds_a_bool_is_given() -> None:
    why = {f.binding.name: f.boolean for f in NamingCheck({}).review(BOOLEANS)}
    assert why["even"] == "it returns `number % 2 == 0`"
    assert why["ready"] == "it is annotated `bool`"
    assert why["done"] == "it is assigned `not valid`"
    assert why["check"] == "it returns `is_even(number) and number > 2`"


def test_a_name_rebound_to_something_else_is_not_judged_a_bool() -> None:
    source = """\
def first(items):
    found = False
    for found in items:
        pass
    result = len(items) > 0
    result = items[0]
    return found, result
"""
    assert _reported(source) == []


def test_dunder_methods_and_predicate_names_pass() -> None:
    source = """\
class Money:
    def __eq__(self, other):
        return True

    def has_cents(self) -> bool:
        return True

    @property
    def is_zero(self) -> bool:
        return self.has_cents()


_is_cached = True
IS_DEBUG = False
can_retry: bool = Money().is_zero
"""
    assert _reported(source) == []


def test_bool_fields_and_attributes_are_held_to_the_rule() -> None:
    source = """\
from dataclasses import dataclass


@dataclass
class Task:
    done: bool


class Job:
    def __init__(self, items):
        self.empty = not items
"""
    assert _reported(source) == [("predicate", "done"), ("predicate", "empty")]


def test_bool_parameters_are_judged_only_when_asked() -> None:
    source = "def sort(items, reverse: bool = False):\n    return items\n"
    assert _reported(source) == []
    assert _reported(source, parameters=True) == [("predicate", "reverse")]


def test_a_bool_parameter_makes_what_it_flows_into_a_bool() -> None:
    source = """\
def reduced(age: int, student: bool):
    return age < 12 or student
"""
    assert _reported(source) == [("predicate", "reduced")]


def test_the_prefixes_are_an_option() -> None:
    source = "ok = 1 > 0\nis_ok = 1 > 0\n"
    assert _reported(source, predicate_prefixes=["ok"]) == [("predicate", "is_ok")]


def test_type_variables_and_allowed_names_may_be_short() -> None:
    source = 'from typing import TypeVar\n\nT = TypeVar("T")\ndf = 1\nx = 2\n'
    assert _reported(source) == [("one-letter", "x")]
    assert _reported(source, allow=["x"]) == []


def test_points_fall_with_each_name_reported(
    tmp_path: Path, settings: Settings
) -> None:
    source = "tmp = 1\nfoo = 2\n"
    result = run_check(
        "naming", {"allowance": 4}, source, workdir=tmp_path, settings=settings
    )
    assert result.fraction == pytest.approx(1 - 2 / 4)


def test_good_names_earn_everything_and_are_praised(
    tmp_path: Path, settings: Settings
) -> None:
    source = """\
def is_qualified(seconds: int, limit: int) -> bool:
    has_time = seconds > 0
    return has_time and seconds <= limit
"""
    result = run_check("naming", {}, source, workdir=tmp_path, settings=settings)
    assert result.fraction == 1
    [finding] = result.findings
    assert finding.id == "naming.clean"


def test_a_source_that_does_not_parse_is_an_error_not_a_crash(
    tmp_path: Path, settings: Settings
) -> None:
    result = run_check("naming", {}, "def (:\n", workdir=tmp_path, settings=settings)
    assert result.fraction == 0
    assert [f.id for f in result.findings] == ["checks.error"]


@pytest.mark.parametrize(
    "options",
    [
        {"rules": ["one-letter", "cryptic"]},
        {"rules": []},
        {"predicate_prefixes": []},
        {"vague": "data"},
        {"allowance": 0},
        {"colour": "red"},
    ],
)
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="naming"):
        build_check("naming", options)


def test_the_label_names_the_rules() -> None:
    check = build_check("naming", {"rules": ["vague", "predicate"]})
    assert check.label == "names: vague, predicate (ast)"
