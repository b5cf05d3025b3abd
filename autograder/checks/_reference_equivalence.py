"""Equivalence with a hidden reference, over inputs that hypothesis generates.

The ``reference-equivalence`` check calls one function of the learner's answer
on many generated inputs and compares each result with what a correct
reference function returns for the same input. Hypothesis generates the inputs
(``@given``), deterministically (``derandomize``, no example database) and for
a bounded number of examples, so the verdict is the same on every machine; a
failure is shrunk to a small counterexample, shown as input, expected value
and value returned, never as the reference's code.

The material comes from the graded cell's body, which the check runs as a
module. Each option names a top-level object of that body:

- ``inputs``: a hypothesis strategy of *argument tuples* (a strategy of other
  values counts as one argument), public;
- ``reference``: the correct function, which must be defined in the hidden
  region (``### BEGIN HIDDEN TESTS``), so that it exists only at grading;
- ``examples`` (optional): lists of ``(arguments, expected)`` pairs. Public
  lists run first, in the self-check too; lists defined in the hidden region
  run at grading, after the generated inputs, as a safety net for the cases
  the exercise must never miss.

For example::

    from hypothesis import strategies as st

    DUPLICATES_INPUTS = st.tuples(st.lists(st.integers(0, 5)))
    DUPLICATES_EXAMPLES = [(([1, 2, 1],), [1])]
    ### BEGIN HIDDEN TESTS
    def reference_duplicates(items):
        ...
    ### END HIDDEN TESTS

Without the hidden part (a self-check) only the public examples run, and the
feedback says that the comparison with the reference happens at grading. The
learner's function gets a deep copy of each input; changing it counts as a
mistake unless ``keep_arguments = false``.

This module also holds what the ``counted-growth`` check shares with it:
reading the cell's material, finding the learner's function, showing values.
"""

from __future__ import annotations

import ast
import copy
import reprlib
import sys
import types
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, settings, strategies
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.errors import HypothesisException, HypothesisSideeffectWarning
from hypothesis.strategies import SearchStrategy

from autograder._contract import _is_stub_body
from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    TestCode,
    register_check,
)
from autograder.checks._pytest import _answer_line, _import_answer
from autograder.feedback import Finding, make_finding

PUBLIC_ORIGIN = "an example of the exercise"
HIDDEN_ORIGIN = "a case the grader adds"
SHRUNK_ORIGIN = "the smallest input hypothesis found"
"""How the feedback says where a failing input came from."""

MAX_REPR = 160
"""Characters of a value shown in feedback before it is cut."""

_REPR = reprlib.Repr()
_REPR.maxstring = MAX_REPR
_REPR.maxother = MAX_REPR
_REPR.maxlist = _REPR.maxtuple = _REPR.maxset = _REPR.maxdict = 12
_REPR.maxlevel = 4

Example = tuple[tuple[object, ...], object, str]
"""Arguments, expected result, and where the example comes from."""


class MaterialError(ValueError):
    """The graded cell's material is malformed: a fault of the course."""


def shown(value: object) -> str:
    """Show a value in feedback, cut (with ``...``) when it is long.

    Args:
        value: Any value; its ``repr`` is used.

    Returns:
        The text, at most about :data:`MAX_REPR` characters.
    """
    try:
        text = _REPR.repr(value)
    except Exception as error:  # noqa: BLE001 - a learner's object may break repr
        return f"<unprintable {type(value).__name__}: {type(error).__name__}>"
    return text if len(text) <= MAX_REPR else f"{text[: MAX_REPR - 4]} ..."


def shown_call(function: str, arguments: tuple[object, ...]) -> str:
    """Show a call as the learner would type it.

    Args:
        function: The function's name.
        arguments: The positional arguments.

    Returns:
        Text such as ``find_duplicates([1, 1])``.
    """
    return f"{function}({', '.join(shown(argument) for argument in arguments)})"


def same(result: object, expected: object) -> bool:
    """Compare a result with the expected value, as ``==`` and type do.

    Args:
        result: What the learner's function returned.
        expected: What the reference returned.

    Returns:
        True when they are equal and of the same type.
    """
    try:
        return type(result) is type(expected) and bool(result == expected)
    except Exception:  # noqa: BLE001 - a learner's object may break ==
        return False


def difference(got: object, expected: object) -> str:
    """Say where a result differs from the expected one, briefly.

    For two lists (or two tuples) the first position that differs is named,
    so that long results need not be shown whole.

    Args:
        got: The result.
        expected: The right result.

    Returns:
        Text such as ``at index 3: (4, 5) instead of (4, 7)``.
    """
    if (
        isinstance(got, list | tuple)
        and isinstance(expected, list | tuple)
        and type(got) is type(expected)
    ):
        for index, (left, right) in enumerate(zip(got, expected, strict=False)):
            if not same(left, right):
                return f"at index {index}: {shown(left)} instead of {shown(right)}"
        return f"{len(got)} items instead of {len(expected)}"
    return f"{shown(got)} instead of {shown(expected)}"


def as_arguments(value: object) -> tuple[object, ...]:
    """Read an input as positional arguments: a tuple is the arguments.

    Args:
        value: What a strategy or builder produced.

    Returns:
        The arguments.
    """
    return value if isinstance(value, tuple) else (value,)


def error_text(error: BaseException) -> str:
    """Name an exception and its message in one short line.

    Args:
        error: The exception.

    Returns:
        Text such as ``TypeError: '<' not supported``.
    """
    message = str(error)
    if len(message) > MAX_REPR:
        message = f"{message[: MAX_REPR - 4]} ..."
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


# --- The graded cell's material -------------------------------------------------


@dataclass(frozen=True)
class Material:
    """What the graded cell's body defines.

    Attributes:
        names: The body's top-level names and their values.
        hidden: Top-level names the body defines in its hidden region.
        grading: Whether the body has a hidden region (grading, not a
            self-check).
    """

    names: Mapping[str, object]
    hidden: frozenset[str]
    grading: bool

    def hidden_value(self, name: str) -> object:
        """Look up a name the hidden region may define.

        Args:
            name: The name.

        Returns:
            Its value, or ``None`` in a self-check, where it is absent.

        Raises:
            MaterialError: At grading, the body does not define it.
        """
        if self.grading and name not in self.names:
            raise MaterialError(f"the hidden tests define no {name}")
        return self.names.get(name)


def _top_level_lines(tree: ast.Module) -> dict[str, list[int]]:
    lines: dict[str, list[int]] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            lines.setdefault(node.name, []).append(node.lineno)
        elif isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                lines.setdefault(target.id, []).append(node.lineno)
    return lines


def read_material(
    tests: TestCode | None, secret: tuple[str, ...], workdir: Path
) -> Material:
    """Run the graded cell's body as a module and collect its names.

    The body is compiled from memory, never written to a file that learner
    code could read, under the name of the cell's test module
    (``test_<cell>.py`` in the scratch folder), which a sandbox knows as the
    course's code rather than the learner's.

    Args:
        tests: The graded cell's code (``None``: nothing to read).
        secret: Names that may only be defined in the hidden region.
        workdir: The scratch folder.

    Returns:
        The names defined, and which of them are hidden.

    Raises:
        MaterialError: The body does not run, or defines a secret name
            outside the hidden region.
    """
    if tests is None or not tests.source.strip():
        return Material({}, frozenset(), grading=False)
    try:
        tree = ast.parse(tests.source)
    except SyntaxError as error:
        raise MaterialError(f"the cell's code does not parse: {error}") from error
    lines = _top_level_lines(tree)
    for name in secret:
        if any(not tests.is_hidden(line) for line in lines.get(name, [])):
            raise MaterialError(f"{name} must be defined in the hidden tests")
    module = types.ModuleType(f"_material_{tests.cell}")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    try:
        code = compile(tree, workdir / f"test_{tests.cell}.py", "exec")
        exec(code, module.__dict__)  # noqa: S102 - the course's own cell code
    except Exception as error:
        reason = f"the cell's code raised {error_text(error)}"
        raise MaterialError(reason) from error
    finally:
        sys.modules.pop(module.__name__, None)
    hidden = frozenset(
        name
        for name, found in lines.items()
        if any(tests.is_hidden(line) for line in found)
    )
    return Material(dict(vars(module)), hidden, grading=tests.hidden_from is not None)


def course_fault(label: str, reason: str) -> CheckResult:
    """Score zero for a fault of the course, and say so.

    Args:
        label: The check's label.
        reason: What is wrong.

    Returns:
        The result.
    """
    return CheckResult(0.0, (make_finding("checks.error", check=label, reason=reason),))


# --- The learner's function -----------------------------------------------------


@dataclass(frozen=True)
class Target:
    """The learner's function under test.

    Attributes:
        name: Its name in the contract.
        function: The function itself.
        line: The line of its ``def`` in the answer cell, if found.
        path: The answer's module file, to find its lines in a traceback.
    """

    name: str
    function: Callable[..., object]
    line: int | None
    path: Path


def _definition(source: str, name: str) -> ast.FunctionDef | None:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    found = None
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            found = node
    return found


def find_target(answer: Answer, name: str, check: str) -> Target | Finding:
    """Import the answer and find one of its functions, ready to call.

    Args:
        answer: The learner's answer.
        name: The function's name.
        check: The check's label, for messages.

    Returns:
        The function, or the finding that says why it cannot be called.
    """
    definition = _definition(answer.source, name)
    if definition is not None and _is_stub_body(definition.body):
        return make_finding("efficiency.waiting", function=name, check=check)
    crashed = _import_answer(answer)
    if crashed is not None:
        return crashed
    function = getattr(sys.modules[answer.spec.module], name, None)
    if function is None:
        return make_finding("efficiency.waiting", function=name, check=check)
    if not callable(function):
        found = type(function).__name__
        return make_finding(
            "efficiency.not-callable", answer.at(None), function=name, found=found
        )
    line = definition.lineno if definition is not None else None
    return Target(name, function, line, answer.path)


@dataclass(frozen=True)
class Call:
    """What one call of the learner's function did.

    Attributes:
        arguments: The arguments, as they were before the call.
        result: What it returned (``None`` when it raised).
        error: What it raised, if it did.
        line: The line of the answer where it raised, if there.
        changed: The arguments as the call left them, if it changed them.
    """

    arguments: tuple[object, ...]
    result: object = None
    error: BaseException | None = None
    line: int | None = None
    changed: tuple[object, ...] | None = None


def call_learner(target: Target, arguments: tuple[object, ...]) -> Call:
    """Call the learner's function on a private copy of the arguments.

    Args:
        target: The function.
        arguments: The arguments; they are not touched.

    Returns:
        What happened.
    """
    given_copy = copy.deepcopy(arguments)
    try:
        result = target.function(*given_copy)
    except Exception as error:  # noqa: BLE001 - a crash of learner code is a finding
        line = _answer_line(error.__traceback__, target.path)
        return Call(arguments, error=error, line=line)
    unchanged = same(given_copy, arguments)
    return Call(arguments, result, changed=None if unchanged else given_copy)


@dataclass(frozen=True)
class Disagreement:
    """An input on which the learner's function is wrong.

    Attributes:
        call: The learner's call.
        expected: What the reference (or the example) expects.
        origin: Where the input comes from, in the learner's words.
    """

    call: Call
    expected: object
    origin: str


def judge(
    target: Target,
    arguments: tuple[object, ...],
    expected: object,
    *,
    keep_arguments: bool = True,
) -> Call | None:
    """Call the learner's function and tell whether it got it wrong.

    Args:
        target: The function.
        arguments: The input.
        expected: The right result.
        keep_arguments: Changing the arguments counts as wrong.

    Returns:
        The call when it is wrong (raised, returned something else or,
        if that counts, changed its input), else ``None``.
    """
    call = call_learner(target, arguments)
    if call.error is not None or not same(call.result, expected):
        return call
    if keep_arguments and call.changed is not None:
        return call
    return None


def disagreement_finding(
    answer: Answer, target: Target, found: Disagreement
) -> Finding:
    """Describe a wrong call: the input, what came back, what was expected.

    Args:
        answer: The answer, for the location.
        target: The function.
        found: The wrong call.

    Returns:
        The finding, at the line that raised or at the function's ``def``.
    """
    call = found.call
    fields = {"call": shown_call(target.name, call.arguments), "origin": found.origin}
    if call.error is not None:
        return make_finding(
            "efficiency.equivalence-raised",
            answer.at(call.line or target.line),
            error=error_text(call.error),
            expected=shown(found.expected),
            **fields,
        )
    if same(call.result, found.expected) and call.changed is not None:
        after = ", ".join(shown(argument) for argument in call.changed)
        return make_finding(
            "efficiency.equivalence-changed-input",
            answer.at(target.line),
            after=after,
            **fields,
        )
    return make_finding(
        "efficiency.equivalence-differs",
        answer.at(target.line),
        got=shown(call.result),
        expected=shown(found.expected),
        **fields,
    )


# --- The search -----------------------------------------------------------------


class _MismatchError(Exception):
    """Raised inside the hypothesis test when a call disagrees."""


Probe = Callable[[tuple[object, ...]], Disagreement | None]
"""Judges the learner's function on one input."""

_RUNNING: list[Callable[[Any], None]] = []
"""The body of the search under way, which the property below calls."""


def _run_search(data: Any) -> None:
    _RUNNING[-1](data)


_PROPERTY: Any = given(strategies.data())(_run_search)
"""The one hypothesis test every search runs, made when this module loads.

``@given`` builds its wrapper from generated source. Made here, before any
learner code runs, the wrapper is part of this module, which a sandbox knows
as the course's code; made during a check, it would look like code the
learner compiled. (Hypothesis still makes a small proxy of the test on each
run, whose frame count the sandbox has to allow.) Each search draws its
inputs from the cell's strategy through ``data`` and sets its own settings
on the wrapper, as ``@settings`` would."""


def _without_local_constants() -> None:
    """Keep hypothesis from mining the modules loaded so far for constants.

    Now and then hypothesis draws a constant it found in the source of a
    "local" module (neither the standard library nor site-packages): the
    learner's answer, and this package too when it is installed editable.
    That makes the inputs depend on code other than the cell's strategy,
    parses every such module in every check and writes a cache. Marking each
    loaded module as already seen, in hypothesis's own bookkeeping (there is
    no public switch: HypothesisWorks/hypothesis#4627), gives every learner
    the same inputs. Should that bookkeeping change, only speed is lost.
    """
    try:
        from hypothesis.internal.conjecture import providers

        seen: set[int] = providers._seen_modules
    except (ImportError, AttributeError):  # pragma: no cover - another version
        return
    modules = list(sys.modules.values())
    seen.update(id(module) for module in modules)
    providers._sys_modules_len = len(modules)


def search(
    strategy: SearchStrategy[Any],
    max_examples: int,
    probe: Probe,
    storage: Path | None = None,
) -> Disagreement | None:
    """Look for an input on which the probe finds the learner wrong.

    Hypothesis runs derandomized, without a database, a deadline or the
    explain phase (which traces), and quietly; it shrinks what it finds.

    Args:
        strategy: Generates inputs (argument tuples, or one argument).
        max_examples: How many inputs to try at most.
        probe: Judges one input.
        storage: Where hypothesis may keep files during the search (the
            check gives it the scratch folder); by default the
            ``.hypothesis`` folder of the current directory.

    Returns:
        The smallest disagreement hypothesis found, or ``None``.

    Raises:
        MaterialError: The reference crashed (raised by the probe).
        HypothesisException: Hypothesis gave up, as on a function whose
            answers change from one call to the next, before any mistake.
    """
    found: list[Disagreement] = []

    def test(data: Any) -> None:
        disagreement = probe(as_arguments(data.draw(strategy)))
        if disagreement is not None:
            # The last one recorded is the one hypothesis shrank to.
            found.append(disagreement)
            raise _MismatchError

    _PROPERTY._hypothesis_internal_use_settings = settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=(Phase.explicit, Phase.generate, Phase.shrink),
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        verbosity=Verbosity.quiet,
        print_blob=False,
    )
    _without_local_constants()
    _RUNNING.append(test)
    set_hypothesis_home_dir(storage)
    try:
        _PROPERTY()
    except _MismatchError:
        pass
    except HypothesisException:
        if not found:
            raise
    finally:
        set_hypothesis_home_dir(None)
        _RUNNING.pop()
    return found[-1] if found else None


def reference_probe(
    target: Target, reference: Callable[..., object], *, keep_arguments: bool
) -> Probe:
    """Build a probe that compares the learner's function with the reference.

    Args:
        target: The learner's function.
        reference: The correct function.
        keep_arguments: Changing the arguments counts as wrong.

    Returns:
        The probe.
    """

    def probe(arguments: tuple[object, ...]) -> Disagreement | None:
        try:
            expected = reference(*copy.deepcopy(arguments))
        except Exception as error:
            reason = f"the reference raised {error_text(error)} on {shown(arguments)}"
            raise MaterialError(reason) from error
        call = judge(target, arguments, expected, keep_arguments=keep_arguments)
        return None if call is None else Disagreement(call, expected, SHRUNK_ORIGIN)

    return probe


def _examples(value: object, name: str, origin: str) -> list[Example]:
    if not isinstance(value, list | tuple):
        raise MaterialError(f"{name} must be a list of (arguments, expected) pairs")
    examples: list[Example] = []
    for pair in value:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise MaterialError(f"each example of {name} must be a pair")
        examples.append((as_arguments(pair[0]), pair[1], origin))
    return examples


@dataclass(frozen=True)
class _Plan:
    """What one run of the check uses, read from the cell."""

    strategy: SearchStrategy[Any]
    reference: Callable[..., object] | None
    public: list[Example]
    hidden: list[Example]


@register_check
class EquivalenceCheck(Check):
    """Compare a function of the answer with a hidden reference.

    Public examples run first; at grading, hypothesis then looks for an input
    on which the function and the reference disagree, and the hidden
    examples run last. All or nothing: 1 when nothing disagrees.

    Options:
        function: The learner's function (required).
        inputs: Name of the cell's strategy of argument tuples (required).
        reference: Name of the cell's hidden reference function (required).
        examples: Names of the cell's lists of ``(arguments, expected)``
            pairs (default: none).
        max_examples: Inputs hypothesis generates at most (default 100).
        keep_arguments: The function must leave its arguments unchanged
            (default true).
    """

    kind = "reference-equivalence"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.function: str = parsed.text("function")
        self.inputs: str = parsed.text("inputs")
        self.reference: str = parsed.text("reference")
        self.examples = parsed.text_list("examples", [])
        self.max_examples = parsed.integer("max_examples", 100, minimum=1)
        self.keep_arguments = parsed.flag("keep_arguments", default=True)
        parsed.finish()
        for name in (self.function, self.inputs, self.reference, *self.examples):
            if not name.isidentifier():
                raise ValueError(f"{self.kind}: {name!r} is not a name")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return f"`{self.function}` gives the right answers (hypothesis)"

    def _plan(self, tests: TestCode | None, workdir: Path) -> _Plan:
        material = read_material(tests, (self.reference,), workdir)
        strategy = material.names.get(self.inputs)
        if not isinstance(strategy, SearchStrategy):
            raise MaterialError(f"{self.inputs} must be a hypothesis strategy")
        reference = material.hidden_value(self.reference)
        if reference is not None and not callable(reference):
            raise MaterialError(f"{self.reference} must be a function")
        public: list[Example] = []
        hidden: list[Example] = []
        for name in self.examples:
            if name in material.hidden:
                hidden += _examples(material.names[name], name, HIDDEN_ORIGIN)
            elif name in material.names:
                public += _examples(material.names[name], name, PUBLIC_ORIGIN)
            else:
                material.hidden_value(name)  # absent: a fault only at grading
        return _Plan(strategy, reference, public, hidden)

    def run(self, context: CheckContext) -> CheckResult:
        """Check the examples, then search for a disagreement with the reference.

        Args:
            context: The answer and the graded cell's body.

        Returns:
            All or nothing, with the smallest counterexample when there is one.
        """
        try:
            plan = self._plan(context.tests, context.workdir)
        except MaterialError as error:
            return course_fault(self.label, str(error))
        answer = context.answer
        target = find_target(answer, self.function, self.label)
        if isinstance(target, Finding):
            return CheckResult(0.0, (target,))
        context.on_event({"test": f"{self.function} on the examples"})
        try:
            found = self._first_wrong(target, plan.public) or self._generated(
                context, target, plan
            )
        except MaterialError as error:
            return course_fault(self.label, str(error))
        except HypothesisException as error:
            finding = make_finding(
                "efficiency.equivalence-unstable",
                answer.at(target.line),
                function=self.function,
                error=error_text(error),
            )
            return CheckResult(0.0, (finding,))
        if found is not None:
            return CheckResult(0.0, (disagreement_finding(answer, target, found),))
        count = len(plan.public) + len(plan.hidden)
        finding = make_finding(
            "efficiency.equivalence-at-grading"
            if plan.reference is None
            else "efficiency.equivalence-passed",
            function=self.function,
            generated=self.max_examples,
            examples=f"{count} example{'s' * (count != 1)}",
        )
        return CheckResult(1.0, (finding,))

    def _generated(
        self, context: CheckContext, target: Target, plan: _Plan
    ) -> Disagreement | None:
        """At grading: the generated inputs, then the hidden examples."""
        if plan.reference is None:
            return None
        context.on_event({"test": f"{self.function} on generated inputs"})
        probe = reference_probe(
            target, plan.reference, keep_arguments=self.keep_arguments
        )
        storage = context.workdir / ".hypothesis"
        found = search(plan.strategy, self.max_examples, probe, storage)
        return found or self._first_wrong(target, plan.hidden)

    def _first_wrong(
        self, target: Target, examples: list[Example]
    ) -> Disagreement | None:
        for arguments, expected, origin in examples:
            call = judge(
                target, arguments, expected, keep_arguments=self.keep_arguments
            )
            if call is not None:
                return Disagreement(call, expected, origin)
        return None


def _warm_up() -> None:
    """Run one tiny search, so that hypothesis sets itself up now.

    Hypothesis finishes its set-up lazily, during its first run (it seeds
    a random generator of its own and checks it with ``gc.get_referrers``).
    Done when this module loads, that happens in the grading worker before
    any learner code runs: checks start faster, and a sandbox that refuses
    such calls once learner code exists has nothing to refuse. Under pytest,
    hypothesis's plugin warns about work done while plugins and conftest
    files load (a test suite importing this package); that work is the point.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HypothesisSideeffectWarning)
        search(strategies.none(), 1, lambda arguments: None)


_warm_up()
