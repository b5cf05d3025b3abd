"""Password hashing: salted, slow, and verified in constant time.

The ``password-hash`` check calls the learner's ``hash(password) -> str`` and
``verify(password, stored) -> bool`` and judges them by what they do and by
how they are written:

Works (a gate)
    For every password (a built-in one and the cell's ``PASSWORDS``):
    each hash is text that does not contain the password, ``verify`` accepts
    the password against each of two hashes of it and rejects a wrong
    password. A pair that fails earns nothing here.

Salted
    Two hashes of the same password differ, and every salt handed to the
    key-derivation function holds at least ``salt_bytes`` bytes.

Slow
    While the module runs, :mod:`hashlib`'s functions are replaced by
    recording ones (before the module is imported, so ``from hashlib import
    pbkdf2_hmac`` is caught too). Hashing must go through
    ``hashlib.pbkdf2_hmac`` with SHA-256 or SHA-512 and at least the declared
    iterations, or ``hashlib.scrypt`` with at least the declared ``n`` and
    ``r``. A fast hash (``sha256``, ``md5``, HMAC…) without one of them
    fails, salted or not; the source is read to point at its line. The
    recording functions compute a cheaper but equally distinct hash (the
    cost is mixed into the salt), so the check stays fast whatever cost the
    learner chose.

Constant-time comparison
    ``verify``, or a function of the module it calls, must use
    ``hmac.compare_digest`` or ``secrets.compare_digest`` (read in the
    source), every verdict must be the result of such a call (seen while
    it runs), and no comparison of two computed values with ``==`` or
    ``!=`` may be left in ``verify``'s reach (a comparison with a constant,
    a module constant or a ``len()`` is fine); such a comparison is shown at
    its line.

The score is the share of the last three met, once the gate is passed.
"""

from __future__ import annotations

import ast
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from autograder.checks._base import (
    Answer,
    Check,
    CheckContext,
    CheckResult,
    Options,
    register_check,
)
from autograder.checks._security import (
    Case,
    cut,
    definition_line,
    describe_error,
    forget,
    load_functions,
    malformed,
    read_cases,
    short,
)
from autograder.feedback import Finding, Location, make_finding

FAST_HASHES = (
    "md5",
    "sha1",
    "sha224",
    "sha256",
    "sha384",
    "sha512",
    "sha3_224",
    "sha3_256",
    "sha3_384",
    "sha3_512",
    "blake2b",
    "blake2s",
    "shake_128",
    "shake_256",
)
"""hashlib's fast hash constructors: fine for checksums, too fast for passwords."""

BUILTIN_PASSWORDS = ("correct horse battery staple",)
CHEAP_ITERATIONS = 1000
"""Iterations the recording PBKDF2 really runs."""
CHEAP_SCRYPT_N = 16
SCRYPT_DEFAULT_MAXMEM = 32 * 1024 * 1024
"""OpenSSL's memory limit for scrypt when ``maxmem`` is 0."""


@dataclass(frozen=True)
class KdfCall:
    """A call of a key-derivation function.

    Attributes:
        name: ``pbkdf2_hmac`` or ``scrypt``.
        detail: Its cost, in words (``sha256, 600000 iterations``).
        strong: Whether the cost meets the declared minimum.
        salt_bytes: Length of the salt it was given.
        phase: ``hash`` or ``verify``: which function was running.
    """

    name: str
    detail: str
    strong: bool
    salt_bytes: int
    phase: str


@dataclass
class _Spy:
    """Stands in for hashlib's functions and compare_digest, and records."""

    check: PasswordHashCheck
    phase: str = "import"
    kdf: list[KdfCall] = field(default_factory=list)
    fast: list[str] = field(default_factory=list)
    compares: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pbkdf2 = hashlib.pbkdf2_hmac
        self.scrypt = hashlib.scrypt
        self.new = hashlib.new
        self.compare = hmac.compare_digest
        self.hmac_new = hmac.new
        self.hmac_digest = hmac.digest

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Replace the functions for the duration of a block."""
        patches: list[tuple[object, str, object]] = [
            (hashlib, "pbkdf2_hmac", self._pbkdf2),
            (hashlib, "scrypt", self._scrypt),
            (hashlib, "new", self._new),
            *(
                (hashlib, name, self._fast(name, getattr(hashlib, name)))
                for name in FAST_HASHES
                if hasattr(hashlib, name)
            ),
            (hmac, "new", self._hmac_new),
            (hmac, "digest", self._hmac_digest),
            (hmac, "compare_digest", self._compare),
            (secrets, "compare_digest", self._compare),
        ]
        saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
        try:
            for owner, name, replacement in patches:
                setattr(owner, name, replacement)
            yield
        finally:
            for owner, name, original in reversed(saved):
                setattr(owner, name, original)

    def _fast(self, name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def fast(*args: Any, **kwargs: Any) -> Any:
            self.fast.append(name)
            return original(*args, **kwargs)

        return fast

    def _new(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self.fast.append(str(name).lower())
        return self.new(name, *args, **kwargs)

    def _hmac_new(self, key: Any, msg: Any = None, digestmod: Any = "") -> Any:
        self.fast.append(f"HMAC-{_digest_name(digestmod)}")
        return self.hmac_new(key, msg, digestmod)

    def _hmac_digest(self, key: Any, msg: Any, digest: Any) -> Any:
        self.fast.append(f"HMAC-{_digest_name(digest)}")
        return self.hmac_digest(key, msg, digest)

    def _compare(self, a: Any, b: Any) -> bool:
        result = self.compare(a, b)
        self.compares.append(result)
        return result

    def _pbkdf2(
        self,
        hash_name: str,
        password: Any,
        salt: Any,
        iterations: int,
        dklen: int | None = None,
    ) -> bytes:
        self.pbkdf2(hash_name, password, salt, 1, dklen)  # the genuine errors
        digest = str(hash_name).lower().replace("-", "")
        minimum = self.check.pbkdf2.get(digest)
        self.kdf.append(
            KdfCall(
                "pbkdf2_hmac",
                f"{digest}, {iterations} iterations",
                minimum is not None and iterations >= minimum,
                len(salt),
                self.phase,
            )
        )
        if iterations <= CHEAP_ITERATIONS:
            return self.pbkdf2(hash_name, password, salt, iterations, dklen)
        tagged = bytes(salt) + f"|{iterations}".encode()
        return self.pbkdf2(hash_name, password, tagged, CHEAP_ITERATIONS, dklen)

    def _scrypt(  # noqa: PLR0913 - hashlib.scrypt's own signature
        self,
        password: Any,
        *,
        salt: Any,
        n: int,
        r: int,
        p: int,
        maxmem: int = 0,
        dklen: int = 64,
    ) -> bytes:
        if n < 2 or n & (n - 1):
            raise ValueError("n must be a power of 2.")
        if 128 * r * (n + p + 2) > (maxmem or SCRYPT_DEFAULT_MAXMEM):
            raise ValueError("[digital envelope routines] memory limit exceeded")
        strong = n >= self.check.scrypt_n and r >= self.check.scrypt_r
        self.kdf.append(
            KdfCall("scrypt", f"n={n}, r={r}, p={p}", strong, len(salt), self.phase)
        )
        tagged = bytes(salt) + f"|{n}|{r}|{p}".encode()
        return self.scrypt(
            password, salt=tagged, n=CHEAP_SCRYPT_N, r=1, p=1, dklen=dklen
        )


def _digest_name(digestmod: Any) -> str:
    if isinstance(digestmod, str):
        return digestmod.lower()
    return str(getattr(digestmod, "__name__", digestmod)).replace("openssl_", "")


# --- Reading the source -------------------------------------------------------


class _Source:
    """The answer's functions, imports and constants, for reading verify."""

    def __init__(self, source: str) -> None:
        self.tree = ast.parse(source)
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.constants: set[str] = set()
        self.aliases: dict[str, str] = {}
        for node in self.tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions[node.name] = node
            elif isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(
                node.value, ast.Constant
            ):
                targets = (
                    node.targets if isinstance(node, ast.Assign) else [node.target]
                )
                self.constants.update(t.id for t in targets if isinstance(t, ast.Name))
        for child in ast.walk(self.tree):
            if isinstance(child, ast.ImportFrom) and child.module:
                for alias in child.names:
                    name = alias.asname or alias.name
                    self.aliases[name] = f"{child.module}.{alias.name}"
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    self.aliases[alias.asname or alias.name] = alias.name

    def reach(self, name: str) -> list[ast.AST]:
        """The function and every module function it refers to, transitively."""
        seen: list[str] = []
        todo = [name]
        while todo:
            current = todo.pop()
            if current in seen or current not in self.functions:
                continue
            seen.append(current)
            todo += [
                node.id
                for node in ast.walk(self.functions[current])
                if isinstance(node, ast.Name) and node.id in self.functions
            ]
        return [self.functions[current] for current in seen]

    def dotted(self, node: ast.expr) -> str | None:
        """Resolve ``name.attr`` through the imports."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        parts.append(self.aliases.get(node.id, node.id))
        return ".".join(reversed(parts))

    def uses_compare_digest(self, name: str) -> bool:
        """Tell whether a function's reach refers to a constant-time compare."""
        return any(
            self.dotted(node) in ("hmac.compare_digest", "secrets.compare_digest")
            for root in self.reach(name)
            for node in ast.walk(root)
            if isinstance(node, ast.Name | ast.Attribute)
        )

    def equalities(self, name: str) -> list[int]:
        """Lines in a function's reach that compare two computed values with ==."""
        lines = []
        for root in self.reach(name):
            for node in ast.walk(root):
                if (
                    isinstance(node, ast.Compare)
                    and any(isinstance(op, ast.Eq | ast.NotEq) for op in node.ops)
                    and not any(
                        self._fixed(side) for side in [node.left, *node.comparators]
                    )
                ):
                    lines.append(node.lineno)
        return sorted(set(lines))

    def _fixed(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Constant):
            return True
        if isinstance(node, ast.Name):
            return node.id in self.constants
        return isinstance(node, ast.Call) and self.dotted(node.func) == "len"

    def first_call(self, name: str, wanted: Callable[[str], bool]) -> int | None:
        """The first line in a function's reach calling something wanted."""
        lines = [
            node.lineno
            for root in self.reach(name)
            for node in ast.walk(root)
            if isinstance(node, ast.Call)
            and (dotted := self.dotted(node.func)) is not None
            and wanted(dotted)
        ]
        return min(lines) if lines else None


# --- The check ----------------------------------------------------------------


@register_check
class PasswordHashCheck(Check):
    """Judge a password hash and its verification: salted, slow, constant-time.

    Options:
        hash: The hashing function, ``hash(password) -> str`` (required).
        verify: The verifying function, ``verify(password, stored) -> bool``
            (required).
        salt_bytes: Smallest salt, in bytes (default 16, NIST SP 800-132).
        pbkdf2_sha256: Fewest PBKDF2-HMAC-SHA256 iterations (default
            600000, OWASP 2023).
        pbkdf2_sha512: Fewest PBKDF2-HMAC-SHA512 iterations (default
            210000, OWASP 2023).
        scrypt_n: Smallest scrypt ``n`` (default 16384).
        scrypt_r: Smallest scrypt ``r`` (default 8).
    """

    kind = "password-hash"
    runs_learner_code = True

    def __init__(self, options: Mapping[str, Any]) -> None:
        """Parse the options."""
        parsed = Options(self.kind, options)
        self.hash: str = parsed.text("hash")
        self.verify: str = parsed.text("verify")
        self.salt_bytes = parsed.integer("salt_bytes", 16, minimum=1)
        self.pbkdf2 = {
            "sha256": parsed.integer("pbkdf2_sha256", 600_000, minimum=1),
            "sha512": parsed.integer("pbkdf2_sha512", 210_000, minimum=1),
        }
        self.scrypt_n = parsed.integer("scrypt_n", 2**14, minimum=2)
        self.scrypt_r = parsed.integer("scrypt_r", 8, minimum=1)
        parsed.finish()

    @property
    def label(self) -> str:
        """Short description for the feedback."""
        return "password hashing: works, salted, slow, constant-time compare"

    def run(self, context: CheckContext) -> CheckResult:
        """Hash and verify every password with hashlib and compare_digest watched.

        Args:
            context: The answer and the graded cell, which holds passwords.

        Returns:
            The share of salted, slow and constant-time met, after the gate.
        """
        try:
            material = read_cases(context.tests, {"PASSWORDS": "a password"})
        except ValueError as error:
            return malformed(self.label, error)
        passwords = [Case(text, "a password") for text in BUILTIN_PASSWORDS]
        passwords += [
            case for case in material["PASSWORDS"] if isinstance(case.value, str)
        ]
        spy = _Spy(self)
        with spy.installed():
            functions, stop = load_functions(context.answer, [self.hash, self.verify])
            if stop is not None:
                forget(context.answer)
                return stop
            try:
                trial = _Trial(self, spy, functions, context)
                gate = trial.run(passwords)
            finally:
                forget(context.answer)
        if gate:
            return CheckResult(0.0, tuple(cut(gate, len(gate))))
        return _Verdict(self, spy, trial, context.answer).result()


@dataclass
class _Trial:
    """Hashes and verifies the passwords, remembering what it saw."""

    check: PasswordHashCheck
    spy: _Spy
    functions: dict[str, Callable[..., Any]]
    context: CheckContext
    unsalted: list[Case] = field(default_factory=list)
    verdicts: list[tuple[bool, list[bool]]] = field(default_factory=list)

    def run(self, passwords: list[Case]) -> list[Finding]:
        """Hash each password twice and verify right and wrong ones.

        Args:
            passwords: The passwords.

        Returns:
            A finding per way the pair failed to work (the gate).
        """
        answer = self.context.answer
        where = answer.at(definition_line(answer.source, self.check.verify))
        failures = []
        for number, case in enumerate(passwords, 1):
            self.context.on_event({"test": f"{self.check.hash}: password {number}"})
            problem = self._one(case)
            if problem is not None:
                failures.append(
                    make_finding(
                        "security.password-broken",
                        where,
                        case=case.shown("password"),
                        problem=problem,
                    )
                )
        return failures

    def _one(self, case: Case) -> str | None:
        password = str(case.value)
        hash_, verify = (
            self.functions[self.check.hash],
            self.functions[self.check.verify],
        )
        self.spy.phase = "hash"
        try:
            first, second = hash_(password), hash_(password)
        except Exception as error:  # noqa: BLE001 - learner code may raise anything
            return f"`{self.check.hash}` {describe_error(error)}"
        if not isinstance(first, str) or not isinstance(second, str):
            return f"`{self.check.hash}` returned {short(first)}, not text"
        if len(password) >= 4 and password in first:
            return "the stored text contains the password itself"
        if first == second:
            self.unsalted.append(case)
        self.spy.phase = "verify"
        checks = [
            (password, first, True),
            (password, second, True),
            (password + "!", first, False),
            (
                password.swapcase() if password.swapcase() != password else "x",
                first,
                False,
            ),
        ]
        for attempt, stored, expected in checks:
            before = len(self.spy.compares)
            try:
                verdict = verify(attempt, stored)
            except Exception as error:  # noqa: BLE001 - learner code may raise anything
                return f"`{self.check.verify}` {describe_error(error)}"
            if verdict is not expected:
                which = "the right password" if expected else "a wrong password"
                return f"`{self.check.verify}` returned {short(verdict)} for {which}"
            self.verdicts.append((verdict, self.spy.compares[before:]))
        return None


class _Verdict:
    """Judges salt, cost and comparison once the pair works."""

    def __init__(
        self, check: PasswordHashCheck, spy: _Spy, trial: _Trial, answer: Answer
    ) -> None:
        self.check = check
        self.spy = spy
        self.trial = trial
        self.answer = answer
        try:
            self.source: _Source | None = _Source(answer.source)
        except SyntaxError:
            self.source = None

    def _at(self, line: int | None, function: str) -> Location:
        return self.answer.at(line or definition_line(self.answer.source, function))

    def result(self) -> CheckResult:
        """Score the three parts.

        Returns:
            The share met, a finding per part missed.
        """
        findings = [
            finding
            for finding in (self.salted(), self.slow(), self.constant_time())
            if finding is not None
        ]
        fraction = (3 - len(findings)) / 3
        if not findings:
            kdf = self.spy.kdf[0].name if self.spy.kdf else "a slow hash"
            findings.append(make_finding("security.password-clean", kdf=kdf))
        return CheckResult(fraction, tuple(findings))

    def salted(self) -> Finding | None:
        """Two hashes of one password differ; salts are long enough."""
        where = self._at(None, self.check.hash)
        if self.trial.unsalted:
            return make_finding(
                "security.password-unsalted",
                where,
                case=self.trial.unsalted[0].shown("password"),
                function=self.check.hash,
            )
        short_salts = [c for c in self.spy.kdf if c.salt_bytes < self.check.salt_bytes]
        if short_salts:
            return make_finding(
                "security.password-short-salt",
                where,
                size=short_salts[0].salt_bytes,
                minimum=self.check.salt_bytes,
            )
        return None

    def slow(self) -> Finding | None:
        """Hashing goes through a key-derivation function with enough cost."""
        hashing = [call for call in self.spy.kdf if call.phase == "hash"]
        source = self.source
        if hashing:
            weak = [call for call in hashing if not call.strong]
            if not weak:
                return None
            line = source.first_call(self.check.hash, _is_kdf) if source else None
            return make_finding(
                "security.password-weak-cost",
                self._at(line, self.check.hash),
                name=weak[0].name,
                detail=weak[0].detail,
                minimum=self._minimum(weak[0]),
            )
        fast = sorted(set(self.spy.fast))
        line = source.first_call(self.check.hash, _is_fast) if source else None
        if fast:
            return make_finding(
                "security.password-fast-hash",
                self._at(line, self.check.hash),
                function=self.check.hash,
                algorithms=", ".join(f"`{name}`" for name in fast),
            )
        return make_finding(
            "security.password-no-kdf",
            self._at(line, self.check.hash),
            function=self.check.hash,
        )

    def _minimum(self, call: KdfCall) -> str:
        if call.name == "scrypt":
            return f"n ≥ {self.check.scrypt_n} and r ≥ {self.check.scrypt_r}"
        return ", ".join(
            f"{digest} with ≥ {count} iterations"
            for digest, count in self.check.pbkdf2.items()
        )

    def constant_time(self) -> Finding | None:
        """Verdicts come from compare_digest, which verify's reach refers to."""
        source = self.source
        verify = self.check.verify
        referred = source is not None and source.uses_compare_digest(verify)
        decided = all(
            compares and bool(compares[-1]) is verdict
            for verdict, compares in self.trial.verdicts
        )
        lines = source.equalities(verify) if source else []
        if referred and decided and not lines:
            return None
        if lines:
            return make_finding(
                "security.password-equality",
                self._at(lines[0], verify),
                function=verify,
            )
        return make_finding(
            "security.password-no-compare-digest",
            self._at(None, verify),
            function=verify,
        )


def _is_kdf(dotted: str) -> bool:
    return dotted in ("hashlib.pbkdf2_hmac", "hashlib.scrypt")


def _is_fast(dotted: str) -> bool:
    head, _, name = dotted.partition(".")
    return (head == "hashlib" and name in (*FAST_HASHES, "new")) or dotted in (
        "hmac.new",
        "hmac.digest",
    )
