r"""Configuration written into the code: URLs, absolute paths and credentials.

Ruff's ``S105``/``S106``/``S107`` look for a string assigned to a name that
*looks like* a password (``password``, ``token``, ``secret``…). The
``hardcoded-config`` check reads the syntax tree for the values that belong
in configuration instead of code, wherever they are written:

URLs (``urls``)
    A string literal holding ``scheme://host`` — ``https://api.example.com``,
    ``postgresql://shop@db.internal/shop``. A URL without a host
    (``sqlite:///shop.db``, a local file) is not one, and neither is an
    f-string whose host is filled in (``f"https://{host}/api"``): only the
    literal text is read.

Absolute paths (``paths``)
    A string literal that *is* a path from the root or the home folder:
    ``/etc/shop/settings.toml``, ``~/shop``, ``C:\shop``. ``"/"`` alone (a
    separator) and relative paths (``data``, ``./cache``) are not.

Credentials (``credentials``)
    A non-empty string literal given to a name that holds a credential — a
    name with one of ``credential_words`` in it (``password``, ``token``,
    ``api_key``…), split into words at underscores and capitals — in an
    assignment (also to an attribute or a ``["key"]``), a dict literal, a
    keyword argument, a parameter's default or a dataclass field
    (``field(default=...)``); and a fallback given for a credential's
    environment variable: ``os.environ.get("SHOP_API_TOKEN", "dev-token")``,
    ``os.getenv(TOKEN_VARIABLE, "x")``, ``env.setdefault(...)`` (a module
    constant used as the variable's name is followed to its text). A value
    that is itself a name is not a credential: an environment variable's
    name (``"SHOP_API_TOKEN"``) or a key that names a credential
    (``"api_token"``). Ruff flags both of those; this check does not.

Docstrings are not read. Literals listed in ``allow`` are never reported.
Each place is reported once; the points fall linearly with the number of
places, to zero at ``allowance``. A credential's value is never repeated in
the feedback, and neither is the password of a URL.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from autograder.checks._base import (
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
    scaled,
)
from autograder.feedback import Finding, make_finding

KINDS = ("urls", "paths", "credentials")
"""What the check can look for; the option ``look_for`` picks among them."""

CREDENTIAL_WORDS = (
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "credential",
    "credentials",
    "apikey",
    "api_key",
    "access_key",
    "private_key",
)
"""Words (or runs of words joined by ``_``) that make a name a credential's."""

URL = re.compile(r"\b[A-Za-z][A-Za-z0-9+.-]*://(?!\{)[^\s/?#'\"]+")
"""``scheme://`` followed by a host (and perhaps user, password and port)."""

ABSOLUTE_PATH = re.compile(r"(?:/|~[/\\]|[A-Za-z]:[/\\])[\w.~-][^\n]*")
"""A string that is a path from the root, the home folder or a drive."""

VARIABLE_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+")
"""An environment variable's name, such as ``SHOP_API_TOKEN`` (an underscore at
least: ``AKIA4F9A2C7E1B`` is a key, not a name)."""

KEY_NAME = re.compile(r"[a-z][a-z0-9_]*")
"""A key in snake case, such as ``api_token``."""

LOOKUPS = frozenset({"get", "getenv", "setdefault", "pop"})
"""Calls whose second argument is a fallback for a missing key."""

SHOWN = 60
"""Characters of a URL or path repeated in a message."""


@dataclass(frozen=True)
class Hardcoded:
    """One value that belongs in configuration.

    Attributes:
        kind: ``url``, ``path``, ``credential`` or ``fallback``.
        line: 1-based line of the literal.
        column: 1-based column of the literal.
        shown: How the message shows it (credentials masked).
        name: The name that holds a credential, or the variable it falls back
            for; empty for URLs and paths.
        literal: The literal's text, as written (for ``allow``).
    """

    kind: str
    line: int
    column: int
    shown: str
    name: str = ""
    literal: str = ""


def _words(name: str) -> list[str]:
    """Split ``apiToken``, ``API_TOKEN`` or ``api-token`` into lower-case words."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    return [word for word in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if word]


def _mask(value: str) -> str:
    count = len(value)
    return f"a string of {count} character{'' if count == 1 else 's'}"


def _cut(text: str) -> str:
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _hide_password(text: str, url: str) -> str:
    """Replace the password of ``url``, found in ``text``, by ``***``."""
    try:
        password = urlsplit(url).password
    except ValueError:
        return text
    return text.replace(f":{password}@", ":***@") if password else text


def _docstrings(nodes: list[ast.AST]) -> set[int]:
    """Ids of the docstring constants of the module, classes and functions."""
    found = set()
    for node in nodes:
        if isinstance(
            node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        ):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                found.add(id(first.value))
    return found


def _text(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _target_name(target: ast.AST) -> str | None:
    """The name an assignment target binds: ``x``, ``self.x``, ``d["x"]``."""
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    if isinstance(target, ast.Subscript):
        return _text(target.slice)
    return None


def _field_default(value: ast.AST) -> ast.AST:
    """The default of ``field(default=...)``; the value itself otherwise."""
    if isinstance(value, ast.Call):
        func = value.func
        name = func.attr if isinstance(func, ast.Attribute) else None
        name = func.id if isinstance(func, ast.Name) else name
        if name == "field":
            for keyword in value.keywords:
                if keyword.arg == "default":
                    return keyword.value
    return value


class _Reader:
    """Read one module's syntax tree for configuration written into it."""

    def __init__(
        self, tree: ast.Module, kinds: frozenset[str], words: tuple[str, ...]
    ) -> None:
        self.kinds = kinds
        self.words = [tuple(_words(word)) for word in words]
        self.nodes = list(ast.walk(tree))
        self.docstrings = _docstrings(self.nodes)
        self.fragments = {
            id(part)
            for node in self.nodes
            if isinstance(node, ast.JoinedStr)
            for part in node.values
        }
        self.constants = {
            target.id: text
            for node in tree.body
            if isinstance(node, ast.Assign) and (text := _text(node.value)) is not None
            for target in node.targets
            if isinstance(target, ast.Name)
        }

    def is_credential_name(self, name: str) -> bool:
        """Tell whether a name (``API_TOKEN``, ``dbPassword``) holds a credential."""
        words = _words(name)
        return any(
            tuple(words[start : start + len(run)]) == run
            for run in self.words
            for start in range(len(words))
        )

    def is_credential_value(self, value: str) -> bool:
        """Tell whether a literal could be a credential rather than a name."""
        if not value or VARIABLE_NAME.fullmatch(value):
            return False
        return not (KEY_NAME.fullmatch(value) and self.is_credential_name(value))

    def literals(self) -> Iterator[Hardcoded]:
        """URLs and absolute paths among the string literals."""
        for node in self.nodes:
            text = _text(node)
            if text is None or id(node) in self.docstrings:
                continue
            url = URL.search(text)
            if "urls" in self.kinds and url is not None:
                yield self._at(
                    node, "url", _cut(_hide_password(text.strip(), url.group()))
                )
            elif (
                "paths" in self.kinds
                and id(node) not in self.fragments
                and ABSOLUTE_PATH.fullmatch(text.strip())
            ):
                yield self._at(node, "path", _cut(text.strip()))

    def credentials(self) -> Iterator[Hardcoded]:
        """Credential-looking names given a literal, and fallbacks for secrets."""
        for name, value in self._bindings():
            text = _text(value)
            if (
                text is not None
                and self.is_credential_name(name)
                and self.is_credential_value(text)
            ):
                yield self._at(value, "credential", _mask(text), name)
        for node in self.nodes:
            if isinstance(node, ast.Call):
                yield from self._fallback(node)

    def _bindings(self) -> Iterator[tuple[str, ast.AST]]:
        """Every (name, value) pair the module writes a literal into."""
        for node in self.nodes:
            yield from self._pairs(node)

    def _pairs(self, node: ast.AST) -> list[tuple[str, ast.AST]]:
        """The (name, value) pairs one node binds."""
        if isinstance(node, ast.Assign):
            names = [_target_name(target) for target in node.targets]
            return [(name, node.value) for name in names if name is not None]
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            name = _target_name(node.target)
            return [] if name is None else [(name, _field_default(node.value))]
        if isinstance(node, ast.Dict):
            keys = [_text(key) for key in node.keys]
            pairs = zip(keys, node.values, strict=True)
            return [(key, value) for key, value in pairs if key is not None]
        if isinstance(node, ast.Call):
            keywords = node.keywords
            return [(k.arg, k.value) for k in keywords if k.arg is not None]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            return list(self._defaults(node.args))
        return []

    @staticmethod
    def _defaults(args: ast.arguments) -> Iterator[tuple[str, ast.AST]]:
        positional = [*args.posonlyargs, *args.args]
        for arg, default in zip(
            positional[len(positional) - len(args.defaults) :],
            args.defaults,
            strict=True,
        ):
            yield arg.arg, default
        for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
            if kw_default is not None:
                yield arg.arg, kw_default

    def _fallback(self, call: ast.Call) -> Iterator[Hardcoded]:
        """``environ.get("SHOP_API_TOKEN", "dev")`` and its relatives."""
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else None
        name = func.id if isinstance(func, ast.Name) else name
        if name not in LOOKUPS or not call.args:
            return
        key = call.args[0]
        variable = _text(key)
        if variable is None and isinstance(key, ast.Name):
            variable = self.constants.get(key.id)
        fallbacks = [*call.args[1:2]]
        fallbacks += [k.value for k in call.keywords if k.arg in {"default", "value"}]
        for fallback in fallbacks:
            text = _text(fallback)
            if (
                variable is not None
                and text is not None
                and self.is_credential_name(variable)
                and self.is_credential_value(text)
            ):
                yield self._at(fallback, "fallback", _mask(text), variable)

    @staticmethod
    def _at(node: ast.AST, kind: str, shown: str, name: str = "") -> Hardcoded:
        line = getattr(node, "lineno", 1)
        column = getattr(node, "col_offset", 0) + 1
        return Hardcoded(kind, line, column, shown, name, _text(node) or "")


def find_hardcoded(
    source: str,
    *,
    look_for: tuple[str, ...] = KINDS,
    allow: tuple[str, ...] = (),
    credential_words: tuple[str, ...] = CREDENTIAL_WORDS,
) -> list[Hardcoded]:
    """Find the configuration written into a module's code.

    Args:
        source: The module's text.
        look_for: Which kinds to look for (``urls``, ``paths``,
            ``credentials``).
        allow: Literals never to report.
        credential_words: Words that make a name a credential's.

    Returns:
        One entry per place, in the order of the lines.

    Raises:
        SyntaxError: The source does not parse.
    """
    tree = ast.parse(source)
    reader = _Reader(tree, frozenset(look_for), credential_words)
    allowed = set(allow)
    found: dict[tuple[int, int], Hardcoded] = {}
    sources: list[Iterator[Hardcoded]] = []
    if "credentials" in look_for:
        sources.append(reader.credentials())
    sources.append(reader.literals())
    for items in sources:
        for item in items:
            if item.literal in allowed:
                continue
            found.setdefault((item.line, item.column), item)
    return sorted(found.values(), key=lambda item: (item.line, item.column))


@register_check
class HardcodedConfigCheck(Check):
    """Look for URLs, absolute paths and credentials written into the code.

    Options:
        look_for: Any of ``urls``, ``paths``, ``credentials`` (default all).
        allow: String literals that are fine where they are (default none),
            such as a documented example URL.
        credential_words: Words that make a name a credential's (default
            :data:`CREDENTIAL_WORDS`); ``api_key`` means the two words
            ``api`` and ``key`` in a row.
        allowance: Places found that cost all the points (default 3).
    """

    kind = "hardcoded-config"

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.look_for = parsed.text_list("look_for", list(KINDS))
        self.allow = parsed.text_list("allow", [])
        self.credential_words = parsed.text_list(
            "credential_words", list(CREDENTIAL_WORDS)
        )
        self.allowance = parsed.integer("allowance", 3, minimum=1)
        parsed.finish()
        unknown = sorted(set(self.look_for) - set(KINDS))
        if unknown or not self.look_for:
            raise ValueError(
                f"{self.kind} option 'look_for' takes {', '.join(KINDS)};"
                f" not {', '.join(unknown) or 'nothing'}"
            )
        if not all(_words(word) for word in self.credential_words):
            raise ValueError(f"{self.kind} option 'credential_words' has an empty word")

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return f"configuration in the code ({', '.join(self.look_for)})"

    def run(self, context: CheckContext) -> CheckResult:
        """Read the answer for configuration written into it.

        Args:
            context: The answer.

        Returns:
            Partial credit by the number of places found.
        """
        try:
            found = find_hardcoded(
                context.answer.source,
                look_for=self.look_for,
                allow=self.allow,
                credential_words=tuple(
                    "_".join(_words(w)) for w in self.credential_words
                ),
            )
        except SyntaxError as error:
            reason = f"the answer does not parse ({error.msg})"
            return CheckResult(
                0.0, (make_finding("checks.error", check=self.label, reason=reason),)
            )
        findings: list[Finding] = [
            make_finding(
                f"config.hardcoded-{item.kind}",
                context.answer.at(item.line, item.column),
                value=item.shown,
                name=item.name,
            )
            for item in found
        ]
        if not findings:
            findings.append(
                make_finding("config.hardcoded-clean", kinds=", ".join(self.look_for))
            )
        return CheckResult(scaled(len(found), self.allowance), tuple(findings))
