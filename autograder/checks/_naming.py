"""Names read from the syntax tree: one letter, vague, numbered, and booleans.

Ruff's ``N`` (pep8-naming) and ``A`` (builtins) rules say how a name is
*spelled*; this check asks whether it *says something*. It reads every name
the answer binds — module constants, functions, classes, parameters,
variables, loop variables, ``with … as`` and ``except … as`` targets, import
aliases, class fields and ``self.…`` attributes — and reports each name once
per scope, at the line where it is first bound, by the first rule it breaks:

One letter
    ``f``, ``l``, ``x``: allowed only for loop indices (``for i in …`` and
    comprehensions, names from ``loop_indices``), for ``_``, for type
    variables (``T = TypeVar("T")``) and for names in ``allow``.

Vague
    A name from the ``vague`` list (``data``, ``tmp``, ``foo``…), compared
    without case, leading or trailing underscores, or a trailing number:
    ``DATA``, ``_data`` and ``data2`` are all ``data``.

Numbered
    A name that ends in a number (``obj2``, ``line_1``): the number says the
    name is *another* something, not what. A last part from ``digit_terms``
    (``sha256``, ``utf8``…) is a word, not a number.

Not a predicate
    A name that holds a bool must read as a yes/no question: start with one
    of ``predicate_prefixes`` (``is_``, ``has_``…), ignoring case and leading
    underscores. What holds a bool, precisely:

    - a variable, class field or ``self.…`` attribute annotated ``bool``, or
      whose every binding in its scope assigns a boolean expression (``=``,
      ``:=``, and ``&=``/``|=``/``^=``); a name also bound by a loop, a
      ``with`` or an import, or as a parameter without the annotation, is
      not judged;
    - a function or method declared ``-> bool``, or, without a return
      annotation, whose every ``return`` (one at least) gives a boolean
      expression; dunder methods (``__eq__``) are exempt;
    - a parameter annotated ``bool``; but its name is held to the rule only
      when the option ``parameters`` is on (a keyword switch such as
      ``reverse=True`` is conventional).

    A boolean expression is ``True``/``False``; a comparison (``==``, ``<``,
    ``in``, ``is``…); ``not …``; ``and``/``or`` whose operands are all
    boolean; ``a if c else b`` with both branches boolean; a call of
    ``bool``, ``isinstance``, ``issubclass``, ``callable``, ``hasattr``,
    ``all`` or ``any``; a method call of ``startswith``, ``endswith`` or a
    ``str.is…`` method; a call of any function or method whose own name
    reads as a predicate (``path.is_file()``), or of one of the answer that
    holds a bool by the rules above; a name or attribute that holds one.

Each finding names the role of the name (parameter, loop variable…) and the
kind of name expected for that role. Points fall linearly with the number of
names reported, to zero at ``allowance``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from autograder.checks._base import (
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
    scaled,
)
from autograder.feedback import Finding, make_finding

# fmt: off
VAGUE = [
    "data", "tmp", "temp", "foo", "bar", "baz", "obj", "thing", "stuff",
    "info", "val", "var", "res", "ret", "flag", "lst", "dct", "dummy",
]
"""Names that say nothing about what they hold (the default list)."""

PREDICATE_PREFIXES = [
    "is_", "has_", "can_", "should_", "must_", "was_", "were_", "are_",
    "have_", "will_", "does_", "did_", "needs_", "allows_", "contains_",
]
"""How a name that holds a bool may start (the default list)."""

DIGIT_TERMS = [
    "base32", "base64", "float16", "float32", "float64", "int8", "int16",
    "int32", "int64", "ipv4", "ipv6", "md5", "sha1", "sha256", "sha512",
    "utf8", "utf16",
]
"""Words that end in digits without being numbered names (the default list)."""

RULES = ("one-letter", "vague", "numbered", "predicate")
"""The rules, in the order a name is tested against them."""

BOOL_BUILTINS = frozenset(
    ["bool", "isinstance", "issubclass", "callable", "hasattr", "all", "any"]
)
"""Built-in functions that return a bool."""

BOOL_METHODS = frozenset([
    "startswith", "endswith", "isalnum", "isalpha", "isascii", "isdecimal",
    "isdigit", "isidentifier", "islower", "isnumeric", "isprintable",
    "isspace", "istitle", "isupper", "isdisjoint", "issubset", "issuperset",
])
"""Methods of the built-in types that return a bool."""
# fmt: on

TYPE_VARIABLES = frozenset({"TypeVar", "ParamSpec", "TypeVarTuple"})
_NUMBERED = re.compile(r"^(?P<stem>.*[a-z])_?\d+$")
_MAX_SHOWN = 40
_WORD = 4  # letters a name needs before "is_" + name makes a good example


@dataclass
class Binding:
    """A place where the answer gives a name a value.

    Attributes:
        name: The name bound.
        role: What it names: ``function``, ``class``, ``parameter``,
            ``variable``, ``constant``, ``loop variable``, ``attribute``,
            ``exception`` or ``import alias``.
        line: 1-based line.
        column: 1-based column.
        value: The expression assigned, when there is one.
        annotation: The declared type, when there is one.
        reported: Whether the binding may be reported (an augmented
            assignment rebinds a name reported elsewhere).
        hint: For a loop variable, the name of what it loops over.
        node: For a function, its definition.
        body: For a function, the key of the scope of its body.
    """

    name: str
    role: str
    line: int
    column: int
    value: ast.expr | None = None
    annotation: ast.expr | None = None
    reported: bool = True
    hint: str = ""
    node: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    body: str = ""


@dataclass
class Scope:
    """A module, class, function or comprehension body, and what it binds.

    Attributes:
        key: Unique name, such as ``parse_line`` or ``Order``.
        kind: ``module``, ``class``, ``function`` or ``comprehension``.
        parent: The enclosing scope's key, if any.
        bindings: Bindings by name, in source order.
        self_name: In a method, its first parameter (``self``, ``cls``).
    """

    key: str
    kind: str
    parent: str | None = None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    self_name: str | None = None


class _Collector(ast.NodeVisitor):
    """Walk a module and record every binding in its scope."""

    def __init__(self) -> None:
        self.scopes: dict[str, Scope] = {"": Scope("", "module")}
        self.stack: list[Scope] = [self.scopes[""]]

    # -- bookkeeping -------------------------------------------------------------

    def _open(self, name: str, kind: str, line: int) -> Scope:
        parent = self.stack[-1]
        key = f"{parent.key}.{name}".lstrip(".")
        if key in self.scopes:
            key = f"{key}@{line}"
        scope = Scope(key, kind, parent.key)
        self.scopes[key] = scope
        return scope

    def _bind(self, binding: Binding, scope: Scope | None = None) -> None:
        target = scope or self.stack[-1]
        target.bindings.setdefault(binding.name, []).append(binding)

    def _targets(
        self, target: ast.expr, role: str, value: ast.expr | None, hint: str = ""
    ) -> None:
        """Bind every name of an assignment target."""
        if isinstance(target, ast.Name):
            scope = self.stack[-1]
            if role == "variable" and scope.kind == "class":
                role = "attribute"
            elif role == "variable" and scope.kind == "module":
                role = "constant" if target.id.isupper() else role
            self._bind(
                Binding(
                    target.id,
                    role,
                    target.lineno,
                    target.col_offset + 1,
                    value=value,
                    hint=hint,
                )
            )
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self._targets(element, role, None, hint)
        elif isinstance(target, ast.Starred):
            self._targets(target.value, role, None, hint)
        elif isinstance(target, ast.Attribute):
            self._attribute(target, value)

    def _attribute(
        self,
        target: ast.Attribute,
        value: ast.expr | None,
        annotation: ast.expr | None = None,
    ) -> None:
        """Bind ``self.name = …`` in a method to the class's scope."""
        method = self.stack[-1]
        owner = self.scopes.get(method.parent or "")
        if (
            method.kind == "function"
            and owner is not None
            and owner.kind == "class"
            and isinstance(target.value, ast.Name)
            and target.value.id == method.self_name
        ):
            binding = Binding(
                target.attr,
                "attribute",
                target.lineno,
                target.col_offset + 1,
                value=value,
                annotation=annotation,
            )
            self._bind(binding, owner)

    # -- definitions ---------------------------------------------------------------

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        """Bind a function, its parameters, and what its body binds."""
        self._decorated(node)
        outer = self.stack[-1]
        scope = self._open(node.name, "function", node.lineno)
        keyword = "async def " if isinstance(node, ast.AsyncFunctionDef) else "def "
        self._bind(
            Binding(
                node.name,
                "function",
                node.lineno,
                node.col_offset + len(keyword) + 1,
                annotation=node.returns,
                node=node,
                body=scope.key,
            )
        )
        arguments = node.args
        positional = [*arguments.posonlyargs, *arguments.args]
        if outer.kind == "class" and positional:
            scope.self_name = positional[0].arg
        self._parameters(arguments, scope)
        self.stack.append(scope)
        for statement in node.body:
            self.visit(statement)
        self.stack.pop()

    def _decorated(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for expression in [*node.decorator_list, *node.args.defaults]:
            self.visit(expression)
        for default in node.args.kw_defaults:
            if default is not None:
                self.visit(default)

    def _parameters(self, arguments: ast.arguments, scope: Scope) -> None:
        every = [
            *arguments.posonlyargs,
            *arguments.args,
            *arguments.kwonlyargs,
            *([arguments.vararg] if arguments.vararg else []),
            *([arguments.kwarg] if arguments.kwarg else []),
        ]
        for argument in every:
            binding = Binding(
                argument.arg,
                "parameter",
                argument.lineno,
                argument.col_offset + 1,
                annotation=argument.annotation,
            )
            self._bind(binding, scope)

    # ast.NodeVisitor dispatches on these names, hence their spelling.
    visit_FunctionDef = visit_AsyncFunctionDef = _function  # noqa: N815

    def visit_Lambda(self, node: ast.Lambda) -> None:
        """Bind a lambda's parameters in a scope of their own."""
        for default in [*node.args.defaults, *node.args.kw_defaults]:
            if default is not None:
                self.visit(default)
        scope = self._open("<lambda>", "function", node.lineno)
        self._parameters(node.args, scope)
        self.stack.append(scope)
        self.visit(node.body)
        self.stack.pop()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        """Bind a class, then its fields and methods in its own scope."""
        for expression in [*node.decorator_list, *node.bases]:
            self.visit(expression)
        self._bind(Binding(node.name, "class", node.lineno, node.col_offset + 7))
        self.stack.append(self._open(node.name, "class", node.lineno))
        for statement in node.body:
            self.visit(statement)
        self.stack.pop()

    # -- statements that bind ------------------------------------------------------

    def visit_Assign(self, node: ast.Assign) -> None:
        """Bind each target; a single name keeps the value for bool checks."""
        self.visit(node.value)
        for target in node.targets:
            self._targets(target, "variable", node.value)
            self.visit(target)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        """Bind an annotated name or attribute, with its annotation."""
        if node.value is not None:
            self.visit(node.value)
        if isinstance(node.target, ast.Name):
            self._targets(node.target, "variable", node.value)
            self.stack[-1].bindings[node.target.id][-1].annotation = node.annotation
        elif isinstance(node.target, ast.Attribute):
            self._attribute(node.target, node.value, node.annotation)
        self.visit(node.target)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        """Note a rebinding: ``|=`` keeps a bool a bool, others do not."""
        self.visit(node.value)
        if isinstance(node.target, ast.Name):
            logical = isinstance(node.op, ast.BitOr | ast.BitAnd | ast.BitXor)
            binding = Binding(
                node.target.id,
                "variable",
                node.lineno,
                node.col_offset + 1,
                value=node.value if logical else None,
                reported=False,
            )
            self._bind(binding)
        self.visit(node.target)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        """Bind the target of ``:=``."""
        self.visit(node.value)
        self._targets(node.target, "variable", node.value)

    def _loop(self, target: ast.expr, iterable: ast.expr) -> None:
        hint = iterable.id if isinstance(iterable, ast.Name) else ""
        self._targets(target, "loop variable", None, hint)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        """Bind the loop variables of a ``for`` or ``async for``."""
        self.visit(node.iter)
        self._loop(node.target, node.iter)
        for statement in [*node.body, *node.orelse]:
            self.visit(statement)

    visit_AsyncFor = visit_For  # noqa: N815

    def visit_ListComp(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        """Bind a comprehension's loop variables in a scope of their own."""
        self.visit(node.generators[0].iter)
        self.stack.append(self._open("<comprehension>", "comprehension", node.lineno))
        for index, generator in enumerate(node.generators):
            if index:
                self.visit(generator.iter)
            self._loop(generator.target, generator.iter)
            for condition in generator.ifs:
                self.visit(condition)
        if isinstance(node, ast.DictComp):
            self.visit(node.key)
            self.visit(node.value)
        else:
            self.visit(node.elt)
        self.stack.pop()

    visit_SetComp = visit_GeneratorExp = visit_DictComp = visit_ListComp  # noqa: N815

    def visit_withitem(self, node: ast.withitem) -> None:
        """Bind the target of ``with … as name``."""
        self.visit(node.context_expr)
        if node.optional_vars is not None:
            self._targets(node.optional_vars, "variable", None)

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        """Bind the name of ``except … as name``."""
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            column = node.col_offset + 1
            self._bind(Binding(node.name, "exception", node.lineno, column))
        for statement in node.body:
            self.visit(statement)

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        """Bind ``import … as alias``: of an import, only the alias is chosen."""
        for alias in node.names:
            if alias.asname:
                column = node.col_offset + 1
                self._bind(Binding(alias.asname, "import alias", node.lineno, column))

    visit_ImportFrom = visit_Import  # noqa: N815

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        """Bind a capture pattern of ``match``."""
        if node.pattern is not None:
            self.visit(node.pattern)
        if node.name:
            self._bind(Binding(node.name, "variable", node.lineno, node.col_offset + 1))

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        """Bind ``*rest`` in a sequence pattern."""
        if node.name:
            self._bind(Binding(node.name, "variable", node.lineno, node.col_offset + 1))


# --- What holds a bool ----------------------------------------------------------


def _is_bool_annotation(annotation: ast.expr | None) -> bool:
    if isinstance(annotation, ast.Constant):
        return annotation.value == "bool"
    if isinstance(annotation, ast.Attribute):
        return annotation.attr == "bool"
    return isinstance(annotation, ast.Name) and annotation.id == "bool"


def _returns(node: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.Return]:
    """Yield the ``return`` statements of a function, not of nested ones."""
    todo: list[ast.AST] = list(node.body)
    while todo:
        current = todo.pop()
        if isinstance(current, ast.Return):
            yield current
        if not isinstance(
            current, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef
        ):
            todo.extend(ast.iter_child_nodes(current))


def _shown(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


class _Booleans:
    """Decide which names hold a bool, by the rules of the module docstring."""

    def __init__(self, scopes: dict[str, Scope], prefixes: tuple[str, ...]) -> None:
        self.scopes = scopes
        self.prefixes = prefixes
        self.functions: set[str] = set()  # names of functions that return a bool
        self.attributes: set[str] = set()  # names of attributes that hold one
        self.names: dict[str, set[str]] = {key: set() for key in scopes}
        self.why: dict[tuple[str, str], str] = {}
        self._solve()

    def _solve(self) -> None:
        """Apply the rules until nothing new is found (calls refer to calls)."""
        changed = True
        while changed:
            changed = False
            for scope in self.scopes.values():
                for name, bindings in scope.bindings.items():
                    if (scope.key, name) in self.why:
                        continue
                    reason = self._reason(scope, bindings)
                    if reason is not None:
                        self.why[(scope.key, name)] = reason
                        self.names[scope.key].add(name)
                        if bindings[0].role == "function":
                            self.functions.add(name)
                        elif bindings[0].role == "attribute":
                            self.attributes.add(name)
                        changed = True

    def _reason(self, scope: Scope, bindings: list[Binding]) -> str | None:
        """Say why a name holds a bool, or give ``None`` when it does not."""
        first = bindings[0]
        if first.role == "function":
            return self._function_reason(first)
        annotated = any(_is_bool_annotation(b.annotation) for b in bindings)
        if first.role not in {"parameter", "variable", "constant", "attribute"}:
            return None
        values = [binding.value for binding in bindings]
        if annotated or first.role == "parameter" or None in values:
            return "it is annotated `bool`" if annotated else None
        assigned = [value for value in values if value is not None]
        if all(self.is_boolean(value, scope) for value in assigned):
            return f"it is assigned `{_shown(assigned[0])}`"
        return None

    def _function_reason(self, binding: Binding) -> str | None:
        node = binding.node
        if node is None or (node.name.startswith("__") and node.name.endswith("__")):
            return None
        if node.returns is not None:
            declared = _is_bool_annotation(node.returns)
            return "it is declared `-> bool`" if declared else None
        values = [statement.value for statement in _returns(node)]
        if not values or any(value is None for value in values):
            return None
        body = self.scopes[binding.body]
        if all(self.is_boolean(value, body) for value in values if value):
            returned = next(value for value in values if value)
            return f"it returns `{_shown(returned)}`"
        return None

    def _holds(self, name: str, scope: Scope) -> bool:
        """Tell whether a name read in a scope refers to a bool.

        Python looks a name up in the scope, then in the enclosing functions
        and the module, skipping class bodies.
        """
        current: Scope | None = scope
        while current is not None:
            if name in current.bindings:
                return name in self.names[current.key]
            current = self.scopes.get(current.parent or "") if current.key else None
            while current is not None and current.kind == "class":
                current = self.scopes.get(current.parent or "")
        return False

    def is_boolean(self, node: ast.expr, scope: Scope) -> bool:
        """Tell whether an expression gives a bool.

        Args:
            node: The expression.
            scope: Where it is evaluated, to look names up.

        Returns:
            True when it is a boolean expression as the module docstring says.
        """
        match node:
            case ast.Constant(value=bool()) | ast.Compare() | ast.UnaryOp(op=ast.Not()):
                answer = True
            case ast.BoolOp(values=values):
                answer = all(self.is_boolean(value, scope) for value in values)
            case ast.IfExp(body=body, orelse=orelse):
                answer = self.is_boolean(body, scope) and self.is_boolean(orelse, scope)
            case ast.Name(id=name):
                answer = self._holds(name, scope)
            case ast.Attribute(attr=attribute):
                answer = attribute in self.attributes
            case ast.Call(func=function):
                answer = self._boolean_call(function)
            case _:
                answer = False
        return answer

    def _boolean_call(self, function: ast.expr) -> bool:
        """Tell whether a call gives a bool, by what is called."""
        if isinstance(function, ast.Name):
            called = function.id
            known = called in BOOL_BUILTINS or called in self.functions
        elif isinstance(function, ast.Attribute):
            called = function.attr
            known = called in BOOL_METHODS or called in self.functions
        else:
            return False
        return known or called.lower().startswith(self.prefixes)


# --- The check -------------------------------------------------------------------

EXPECTED = {
    "function": "a verb phrase for what it does or gives back, such as "
    "`parse_line` or `total_price`",
    "class": "a noun in CapWords for what one instance is, such as `Order`",
    "parameter": "a noun for what the caller passes in, such as `line` or `prices`",
    "variable": "a noun for what it holds, with its unit if it has one, such as "
    "`total_price`, `line_count` or `seconds`",
    "constant": "an UPPER_CASE noun for what it stands for, with its unit if it "
    "has one, such as `MAX_RETRIES` or `TIMEOUT_SECONDS`",
    "attribute": "a noun for what it holds, such as `customer` or `unit_price`",
    "loop variable": "a noun for one item, such as `line` in `for line in lines`",
    "exception": "`error`, or a noun for what went wrong",
    "import alias": "the module's own name, or its well-known alias such as `np`",
}
"""The kind of name each role calls for, for the feedback."""


@dataclass(frozen=True)
class NameFinding:
    """A name that breaks a rule, before it becomes feedback.

    Attributes:
        rule: One of :data:`RULES`.
        binding: Where the name is first bound.
        scope: The key of its scope (``""`` for the module).
        boolean: Why it holds a bool, if it does.
        listed: For a vague name, the entry of the list it matches.
    """

    rule: str
    binding: Binding
    scope: str
    boolean: str | None
    listed: str = ""


def _singular(plural: str) -> str:
    """Guess the singular of a plural noun, or give ``""``."""
    if plural.endswith("ies") and len(plural) > len("ies"):
        return plural[: -len("ies")] + "y"
    if plural.endswith("s") and not plural.endswith("ss") and len(plural) > 1:
        return plural[:-1]
    return ""


def _where(scope: str) -> str:
    """Say where a scope is, in words: ``in `parse` ``, ``in a lambda in …``."""
    if not scope:
        return "at module level"
    parts = [part.split("@")[0] for part in scope.split(".")]
    named = ".".join(part for part in parts if not part.startswith("<"))
    inner = {"<lambda>": "a lambda", "<comprehension>": "a comprehension"}
    if parts[-1] in inner:
        return (
            f"in {inner[parts[-1]]} in `{named}`" if named else f"in {inner[parts[-1]]}"
        )
    return f"in `{named}`"


def _is_type_variable(value: ast.expr | None) -> bool:
    """Tell whether a value is ``TypeVar("T")`` or the like."""
    if not isinstance(value, ast.Call):
        return False
    function = value.func
    if isinstance(function, ast.Attribute):
        return function.attr in TYPE_VARIABLES
    return isinstance(function, ast.Name) and function.id in TYPE_VARIABLES


@register_check
class NamingCheck(Check):
    """Read the answer's names: one letter, vague, numbered, non-predicate bools.

    Options:
        vague: Names that say nothing (default: ``data``, ``tmp``, ``foo``…).
        loop_indices: One-letter names allowed as loop variables (default
            ``i``, ``j``, ``k``).
        allow: Names allowed whatever the rules say (default ``_``).
        predicate_prefixes: How a name that holds a bool may start (default
            ``is_``, ``has_``, ``can_``…).
        digit_terms: Last parts of a name that end in digits without being
            a number (default ``sha256``, ``utf8``…).
        rules: Which rules to apply (default all: ``one-letter``, ``vague``,
            ``numbered``, ``predicate``).
        parameters: Hold parameters annotated ``bool`` to the predicate rule
            too (default false).
        allowance: Names reported that cost all the points (default 5).
    """

    kind = "naming"

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.vague = {name.lower() for name in parsed.text_list("vague", VAGUE)}
        self.loop_indices = set(parsed.text_list("loop_indices", ["i", "j", "k"]))
        self.allow = set(parsed.text_list("allow", ["_"]))
        self.prefixes = tuple(
            prefix.lower()
            for prefix in parsed.text_list("predicate_prefixes", PREDICATE_PREFIXES)
        )
        self.digit_terms = {
            term.lower() for term in parsed.text_list("digit_terms", DIGIT_TERMS)
        }
        self.rules = parsed.text_list("rules", list(RULES))
        self.parameters = parsed.flag("parameters", default=False)
        self.allowance = parsed.integer("allowance", 5, minimum=1)
        parsed.finish()
        if not self.rules or not set(self.rules) <= set(RULES):
            raise ValueError(f"naming option 'rules' must list some of {RULES}")
        if not self.prefixes:
            raise ValueError("naming option 'predicate_prefixes' must not be empty")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return f"names: {', '.join(self.rules)} (ast)"

    def _rule(
        self, name: str, bindings: list[Binding], boolean: str | None
    ) -> tuple[str, str]:
        """Name the first rule a name breaks (or ``""``) and the vague word."""
        core = name.strip("_")
        rules = self.rules
        if name in self.allow or not core:
            return "", ""
        if len(core) == 1:
            allowed = all(
                (b.role == "loop variable" and core in self.loop_indices)
                or _is_type_variable(b.value)
                for b in bindings
            )
            return ("" if allowed or "one-letter" not in rules else "one-letter"), ""
        lowered = core.lower()
        numbered = _NUMBERED.match(lowered)
        stem = numbered["stem"].rstrip("_") if numbered else lowered
        if "vague" in rules and {lowered, stem} & self.vague:
            return "vague", lowered if lowered in self.vague else stem
        if (
            "numbered" in rules
            and numbered
            and lowered.rsplit("_", 1)[-1] not in self.digit_terms
        ):
            return "numbered", ""
        judged = self.parameters or bindings[0].role != "parameter"
        if "predicate" in rules and boolean and judged:
            return ("" if lowered.startswith(self.prefixes) else "predicate"), ""
        return "", ""

    def review(self, source: str) -> list[NameFinding]:
        """Find the names that break a rule.

        Args:
            source: The answer module's text.

        Returns:
            One finding per name and scope, in source order.

        Raises:
            SyntaxError: The source does not parse.
        """
        collector = _Collector()
        collector.visit(ast.parse(source))
        booleans = _Booleans(collector.scopes, self.prefixes)
        found = []
        for scope in collector.scopes.values():
            for name, bindings in scope.bindings.items():
                shown = [binding for binding in bindings if binding.reported]
                boolean = booleans.why.get((scope.key, name))
                rule, listed = self._rule(name, bindings, boolean)
                if rule and shown:
                    found.append(
                        NameFinding(rule, shown[0], scope.key, boolean, listed)
                    )
        found.sort(key=lambda finding: (finding.binding.line, finding.binding.column))
        return found

    def expected(self, finding: NameFinding) -> str:
        """Describe the kind of name a finding's name should have been.

        Args:
            finding: The name and its rule.

        Returns:
            A phrase for the feedback, such as "a noun for one item…".
        """
        binding = finding.binding
        if finding.boolean is not None:
            prefixes = ", ".join(f"`{prefix}`" for prefix in self.prefixes[:3])
            core = binding.name.strip("_").lower()
            wordlike = len(core) >= _WORD and any(vowel in core for vowel in "aeiou")
            example = (
                f"`{self.prefixes[0]}{core}`"
                if finding.rule == "predicate" and wordlike
                else "`is_valid` or `has_errors`"
            )
            question = "the question it answers"
            if binding.role != "function":
                question = "a yes/no question"
            return f"{question}, starting with {prefixes}…, such as {example}"
        singular = _singular(binding.hint)
        if binding.role == "loop variable" and singular:
            return (
                f"the singular of `{binding.hint}`: `for {singular} in {binding.hint}`"
            )
        return EXPECTED[binding.role]

    def run(self, context: CheckContext) -> CheckResult:
        """Review every name the answer binds.

        Args:
            context: The answer.

        Returns:
            Partial credit by the number of names reported.
        """
        try:
            found = self.review(context.answer.source)
        except SyntaxError as error:
            reason = f"the answer does not parse ({error.msg})"
            return CheckResult(
                0.0, (make_finding("checks.error", check=self.label, reason=reason),)
            )
        findings: list[Finding] = [
            make_finding(
                f"naming.{item.rule}",
                context.answer.at(item.binding.line, item.binding.column),
                name=item.binding.name,
                role=item.binding.role,
                where=_where(item.scope),
                expected=self.expected(item),
                why=item.boolean or "",
                listed=item.listed,
                prefixes=", ".join(f"`{prefix}`" for prefix in self.prefixes),
                indices=", ".join(f"`{i}`" for i in sorted(self.loop_indices))
                or "none",
            )
            for item in found
        ]
        if not findings:
            findings.append(make_finding("naming.clean", rules=", ".join(self.rules)))
        return CheckResult(scaled(len(found), self.allowance), tuple(findings))
