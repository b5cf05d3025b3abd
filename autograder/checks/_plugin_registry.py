"""A registry factory: extended by a decorator, and honest about unknown kinds.

A registry factory keeps a table from a *kind* (``"csv"``) to what makes that
kind of object; a decorator adds rows to the table, and the factory only looks
a kind up. New kinds then arrive as new code, beside the old, and the factory
is never edited: the point of the pattern. An ``if``/``elif`` factory looks
the same from outside until someone adds a kind.

This check is a client that adds a kind of its own, the way any other module
would, and then asks for it and for a kind nobody registered. On a freshly
imported answer module it checks three things, each worth a third:

Extension
    ``decorator(probe_kind)`` applied to a new class the check makes (with
    the methods the exercise names) hands the class back unchanged, and
    ``factory(probe_kind)`` then returns an instance of it (or the class
    itself, if so declared). The factory's code is not touched.
Custom error
    ``factory(unknown_kind)`` raises the exercise's own exception class: a
    class defined in the answer module, derived from ``Exception`` — not a
    bare ``KeyError`` from a dictionary, and not ``None`` returned.
Helpful message
    That exception's message names the unknown kind and every known kind:
    the built-in ones, and the check's own kind when it was registered. A
    hard-coded list goes stale the day a kind is added; one built from the
    registry does not. (The check's kind is only required when the extension
    worked, so that one mistake costs once.)

Nothing is hidden here: the check reads no material from the graded cell,
so a self-check and grading run the same; the cell's hidden pytest tests
register kinds of their own at grading.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._pytest import _import_answer
from autograder.checks._singleton_race import (
    answer_line,
    definition_line,
    not_callable,
)
from autograder.feedback import Finding, Location, make_finding

RETURNS = ("instance", "registered")
"""What a factory may hand back: an instance of the registered class, or it."""

_MAX_SHOWN = 120


def _shown(value: object) -> str:
    text = repr(value)
    if len(text) > _MAX_SHOWN:
        text = f"{text[:_MAX_SHOWN]}… [cut]"
    return text


def probe_class(methods: tuple[str, ...]) -> type:
    """Make a new class for the check to register, with the given methods.

    Args:
        methods: Names of methods a registered class must have; each returns
            ``""``.

    Returns:
        A class no answer has seen before.
    """

    def method(self: object, *args: object, **kwargs: object) -> str:
        return ""

    namespace: dict[str, object] = {name: method for name in methods}
    namespace["__doc__"] = "A kind registered by the grader, as any client would."
    return type("CourseProbe", (), namespace)


class _Calls:
    """Call the learner's functions, turning a crash into a finding."""

    def __init__(self, answer: Answer, on_event: Callable[[dict[str, Any]], None]):
        self.answer = answer
        self.on_event = on_event

    def __call__(
        self, what: str, function: Callable[..., object], *args: object
    ) -> tuple[object, BaseException | None]:
        self.on_event({"test": what})
        try:
            return function(*args), None
        except Exception as error:  # noqa: BLE001 - learner code may raise anything
            return None, error

    def crashed(self, what: str, error: BaseException) -> Finding:
        line = answer_line(error.__traceback__, self.answer)
        return make_finding(
            "patterns.registry-crashed",
            self.answer.at(line) if line else None,
            call=what,
            error=_shown(error),
        )


@register_check
class PluginRegistryCheck(Check):
    """Register a new kind through the decorator; ask the factory for it and for none.

    The score is the share of three aspects passed: extension, custom error,
    helpful message (see the module's docstring).

    Options:
        decorator: Name of the module's decorator factory:
            ``@decorator(kind)`` registers a class under ``kind``.
        factory: Name of the factory: ``factory(kind)`` makes the object.
        error: Name of the module's exception class for an unknown kind.
        builtin: Kinds the module registers itself, which the error message
            must list (default: none).
        methods: Methods the check's own class gets, for registries that
            look for them (default: none).
        returns: ``"instance"`` (default): the factory returns an instance
            of the registered class; ``"registered"``: the class itself.
        probe_kind: The kind the check registers (default ``"course-probe"``).
        unknown_kind: The kind nobody registers (default ``"no-such-kind"``).
    """

    kind = "plugin-registry"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.decorator = parsed.text("decorator")
        self.factory = parsed.text("factory")
        self.error = parsed.text("error")
        self.builtin = parsed.text_list("builtin", [])
        self.methods = parsed.text_list("methods", [])
        self.returns = parsed.text("returns", "instance")
        self.probe_kind = parsed.text("probe_kind", "course-probe")
        self.unknown_kind = parsed.text("unknown_kind", "no-such-kind")
        parsed.finish()
        if self.returns not in RETURNS:
            raise ValueError(f"{self.kind} option 'returns' must be one of {RETURNS}")
        if self.unknown_kind in {self.probe_kind, *self.builtin}:
            raise ValueError(f"{self.kind} option 'unknown_kind' must be unknown")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "registry: a new kind by decorator; unknown kinds refused"

    def run(self, context: CheckContext) -> CheckResult:
        """Register a kind, make it, then ask for an unknown one.

        Args:
            context: The answer and settings.

        Returns:
            The share of the three aspects passed, with a finding for each.
        """
        answer = context.answer
        crashed = _import_answer(answer)
        if crashed is not None:
            return CheckResult(0.0, (crashed,))
        module = sys.modules[answer.spec.module]
        names = {
            name: getattr(module, name, None) for name in (self.decorator, self.factory)
        }
        for name, value in names.items():
            if not callable(value):
                return CheckResult(0.0, not_callable(answer, name, value))
        calls = _Calls(answer, context.on_event)
        extended, findings = self._extension(answer, module, calls)
        known = [*self.builtin, *([self.probe_kind] if extended else [])]
        findings += self._unknown(answer, module, calls, known)
        passed = sum(f.id.startswith("patterns.registry-ok") for f in findings)
        return CheckResult(passed / 3, tuple(findings))

    def _extension(
        self, answer: Answer, module: Any, calls: _Calls
    ) -> tuple[bool, list[Finding]]:
        """Register the probe class through the decorator and make it."""
        probe = probe_class(self.methods)
        call = f"{self.decorator}({self.probe_kind!r})"
        problem = self._register(answer, getattr(module, self.decorator), calls, probe)
        if problem is not None:
            return False, [problem]
        make = f"{self.factory}({self.probe_kind!r})"
        at_factory = answer.at(definition_line(answer.source, self.factory))
        made, error = calls(make, getattr(module, self.factory), self.probe_kind)
        if error is not None:
            finding = make_finding(
                "patterns.registry-not-extended",
                at_factory,
                call=call,
                make=make,
                error=_shown(error),
            )
            return False, [finding]
        registered = self.returns == "registered"
        if not (made is probe if registered else isinstance(made, probe)):
            expected = (
                "the registered class itself"
                if registered
                else "an instance of the registered class"
            )
            finding = make_finding(
                "patterns.registry-wrong-object",
                at_factory,
                make=make,
                found=_shown(made),
                expected=expected,
            )
            return False, [finding]
        ok = make_finding("patterns.registry-ok-extended", call=call, make=make)
        return True, [ok]

    def _register(
        self,
        answer: Answer,
        decorator: Callable[[str], object],
        calls: _Calls,
        probe: type,
    ) -> Finding | None:
        """Apply ``@decorator(probe_kind)`` to the probe class; say what failed."""
        at_decorator = answer.at(definition_line(answer.source, self.decorator))
        call = f"{self.decorator}({self.probe_kind!r})"
        register, error = calls(call, decorator, self.probe_kind)
        if error is not None:
            return calls.crashed(call, error)
        if not callable(register):
            return make_finding(
                "patterns.registry-not-decorator",
                at_decorator,
                call=call,
                found=_shown(register),
            )
        handed_back, error = calls(f"@{call}", register, probe)
        if error is not None:
            return calls.crashed(f"@{call} on a class", error)
        if handed_back is not probe:
            return make_finding(
                "patterns.registry-class-lost",
                at_decorator,
                call=call,
                found=_shown(handed_back),
            )
        return None

    def _unknown(
        self, answer: Answer, module: Any, calls: _Calls, known: list[str]
    ) -> list[Finding]:
        """Ask for a kind nobody registered: the custom error, listing the known."""
        factory = getattr(module, self.factory)
        at_factory = answer.at(definition_line(answer.source, self.factory))
        make = f"{self.factory}({self.unknown_kind!r})"
        made, error = calls(make, factory, self.unknown_kind)
        if error is None:
            return [
                make_finding(
                    "patterns.registry-no-error",
                    at_factory,
                    make=make,
                    found=_shown(made),
                    error=self.error,
                )
            ]
        findings = [self._error_type(answer, module, make, error, at_factory)]
        message = str(error)
        missing = [kind for kind in [self.unknown_kind, *known] if kind not in message]
        if missing:
            findings.append(
                make_finding(
                    "patterns.registry-unlisted",
                    self._where(answer, error, at_factory),
                    make=make,
                    message=_shown(message),
                    missing=", ".join(repr(kind) for kind in missing),
                )
            )
        else:
            findings.append(make_finding("patterns.registry-ok-listed", make=make))
        return findings

    @staticmethod
    def _where(answer: Answer, error: BaseException, fallback: Location) -> Location:
        """Point at the answer's line that raised, or at the fallback."""
        line = answer_line(error.__traceback__, answer)
        return answer.at(line) if line else fallback

    def _error_type(
        self,
        answer: Answer,
        module: Any,
        make: str,
        error: BaseException,
        at_factory: Location,
    ) -> Finding:
        declared = getattr(module, self.error, None)
        raised = _shown(error)
        if not (isinstance(declared, type) and issubclass(declared, Exception)):
            return make_finding(
                "patterns.registry-error-missing",
                answer.at(definition_line(answer.source, self.error)),
                error=self.error,
            )
        if declared.__module__ != answer.spec.module:
            return make_finding(
                "patterns.registry-error-not-custom",
                answer.at(definition_line(answer.source, self.error)),
                error=self.error,
                found=declared.__qualname__,
            )
        if not isinstance(error, declared):
            return make_finding(
                "patterns.registry-wrong-error",
                self._where(answer, error, at_factory),
                make=make,
                raised=raised,
                error=self.error,
            )
        return make_finding("patterns.registry-ok-error", make=make, error=self.error)
