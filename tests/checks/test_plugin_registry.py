"""Does the registry check tell an extensible factory from an if/elif one?

The check runs the way the engine runs it: in a forked, limited child. Each
wrong registry loses the aspect it gets wrong, once.
"""

from __future__ import annotations

from typing import Any

import pytest

from autograder import Settings, split_tests
from autograder.checks import CheckResult, build_check
from autograder.checks._plugin_registry import probe_class
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec(
    "answer", "plugins", "your module", ("register", "create", "UnknownKindError")
)
OPTIONS: dict[str, Any] = {
    "decorator": "register",
    "factory": "create",
    "error": "UnknownKindError",
    "builtin": ["hello"],
    "methods": ["greet"],
}
TESTS = "%%check registry\n# the check is a client of the registry\n"

ERROR = """\
class UnknownKindError(LookupError):
    def __init__(self, kind, known):
        super().__init__(f"unknown kind {kind!r}; known: {', '.join(known)}")

"""

REGISTRY = (
    ERROR
    + """
_KINDS = {}


def register(kind):
    def add(cls):
        _KINDS[kind] = cls
        return cls

    return add


def create(kind):
    if kind not in _KINDS:
        raise UnknownKindError(kind, sorted(_KINDS))
    return _KINDS[kind]()


@register("hello")
class Hello:
    def greet(self):
        return "hello"
"""
)


def variant(old: str, new: str) -> str:
    assert old in REGISTRY
    return REGISTRY.replace(old, new)


IF_ELIF = variant(
    """    if kind not in _KINDS:
        raise UnknownKindError(kind, sorted(_KINDS))
    return _KINDS[kind]()""",
    """    if kind == "hello":
        return Hello()
    raise UnknownKindError(kind, ["hello"])""",
)

KEY_ERROR = variant(
    """    if kind not in _KINDS:
        raise UnknownKindError(kind, sorted(_KINDS))
""",
    "",
)

CLASS_LOST = variant(
    "        _KINDS[kind] = cls\n        return cls\n", "        _KINDS[kind] = cls\n"
)

PLAIN_DECORATOR = variant(
    """def register(kind):
    def add(cls):
        _KINDS[kind] = cls
        return cls

    return add""",
    """def register(cls):
    _KINDS[str(cls)] = cls
    return cls""",
).replace('@register("hello")', "@register")

RETURNS_NONE = variant(
    """    if kind not in _KINDS:
        raise UnknownKindError(kind, sorted(_KINDS))
    return _KINDS[kind]()""",
    """    cls = _KINDS.get(kind)
    return cls() if cls else None""",
)

BUILTIN_ERROR = variant(ERROR, "UnknownKindError = KeyError\n\n")

HARD_CODED_LIST = variant(
    "raise UnknownKindError(kind, sorted(_KINDS))",
    'raise UnknownKindError(kind, ["hello"])',
)

CRASHING_DECORATOR = variant(
    "        _KINDS[kind] = cls\n",
    "        _KINDS[kind] = cls\n"
    '        if kind != "hello":\n'
    '            raise RuntimeError("the registry is closed")\n',
)

FUNCTIONS = variant(
    "    return _KINDS[kind]()",
    "    return _KINDS[kind]",
)


def run(source: str, settings: Settings, **options: Any) -> CheckResult:
    job = Job(
        checks={0: CheckSpec("plugin-registry", 2.0, "answer", {**OPTIONS, **options})},
        answers={"answer": (ANSWER, source)},
        tests=split_tests("registry", TESTS),
    )
    return run_isolated(job, settings)[0]


def ids(result: CheckResult) -> list[str]:
    return [finding.id for finding in result.findings]


def line_of(source: str, text: str) -> int:
    return next(n for n, line in enumerate(source.splitlines(), 1) if text in line)


def test_a_registry_passes_all_three_aspects(settings: Settings) -> None:
    result = run(REGISTRY, settings)
    assert result.fraction == 1.0
    assert ids(result) == [
        "patterns.registry-ok-extended",
        "patterns.registry-ok-error",
        "patterns.registry-ok-listed",
    ]


def test_an_if_elif_factory_loses_the_extension_only(settings: Settings) -> None:
    result = run(IF_ELIF, settings)
    assert result.fraction == pytest.approx(2 / 3)
    finding = result.findings[0]
    assert finding.id == "patterns.registry-not-extended"
    assert "`create('course-probe')` raised `UnknownKindError(" in finding.message
    assert finding.location is not None
    assert finding.location.line == line_of(IF_ELIF, "def create")


def test_a_bare_key_error_loses_the_error_and_the_message(settings: Settings) -> None:
    result = run(KEY_ERROR, settings)
    assert result.fraction == pytest.approx(1 / 3)
    assert ids(result) == [
        "patterns.registry-ok-extended",
        "patterns.registry-wrong-error",
        "patterns.registry-unlisted",
    ]
    wrong = result.findings[1]
    assert "raised `KeyError('no-such-kind')`" in wrong.message
    assert wrong.location is not None
    assert wrong.location.line == line_of(KEY_ERROR, "return _KINDS[kind]()")
    assert "'hello', 'course-probe'" in result.findings[2].message


def test_a_decorator_that_loses_the_class_is_told_to_return_it(
    settings: Settings,
) -> None:
    result = run(CLASS_LOST, settings)
    assert result.fraction == pytest.approx(2 / 3)
    finding = result.findings[0]
    assert finding.id == "patterns.registry-class-lost"
    assert "with None" in finding.message
    assert "return cls" in finding.hint
    assert finding.location is not None
    assert finding.location.line == line_of(CLASS_LOST, "def register")


def test_a_decorator_that_takes_no_kind_is_not_a_decorator_factory(
    settings: Settings,
) -> None:
    result = run(PLAIN_DECORATOR, settings)
    assert ids(result)[0] == "patterns.registry-not-decorator"
    assert "returned 'course-probe'" in result.findings[0].message


def test_a_factory_that_returns_none_for_an_unknown_kind(settings: Settings) -> None:
    result = run(RETURNS_NONE, settings)
    assert result.fraction == pytest.approx(1 / 3)
    assert ids(result) == [
        "patterns.registry-ok-extended",
        "patterns.registry-no-error",
    ]
    assert "returned None instead of raising" in result.findings[1].message


def test_a_builtin_exception_under_the_contract_name_is_not_custom(
    settings: Settings,
) -> None:
    result = run(BUILTIN_ERROR, settings)
    assert "patterns.registry-error-not-custom" in ids(result)
    assert "the built-in `KeyError`" in result.findings[1].message


def test_a_hard_coded_list_of_kinds_misses_the_new_one(settings: Settings) -> None:
    result = run(HARD_CODED_LIST, settings)
    assert result.fraction == pytest.approx(2 / 3)
    [unlisted] = [f for f in result.findings if f.id == "patterns.registry-unlisted"]
    assert "does not mention 'course-probe'" in unlisted.message


def test_a_crash_in_the_decorator_points_at_its_line(settings: Settings) -> None:
    result = run(CRASHING_DECORATOR, settings)
    finding = result.findings[0]
    assert finding.id == "patterns.registry-crashed"
    assert "RuntimeError('the registry is closed')" in finding.message
    assert finding.location is not None
    assert finding.location.line == line_of(CRASHING_DECORATOR, "raise RuntimeError")


def test_a_registry_of_classes_handed_back_as_such(settings: Settings) -> None:
    assert run(FUNCTIONS, settings, returns="registered").fraction == 1.0
    wrong = run(REGISTRY, settings, returns="registered")
    assert "patterns.registry-wrong-object" in ids(wrong)


def test_the_probe_class_has_the_declared_methods() -> None:
    probe = probe_class(("export", "close"))
    instance = probe()
    assert instance.export([]) == ""
    assert instance.close() == ""
    assert probe is not probe_class(("export", "close"))


@pytest.mark.parametrize(
    "options",
    [
        {"decorator": "register", "factory": "create"},
        {**OPTIONS, "returns": "copy"},
        {**OPTIONS, "unknown_kind": "hello"},
        {**OPTIONS, "plugins": ["x"]},
    ],
)
def test_bad_options_are_refused(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="plugin-registry"):
        build_check("plugin-registry", options)
