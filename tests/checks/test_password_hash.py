"""Does the password check tell salted, slow, constant-time hashing from the rest?

The check runs as the engine runs it, in a forked, limited child; one test
runs it in this process to see that hashlib is given back untouched.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from pathlib import Path

import pytest

from autograder import Settings, split_tests
from autograder.checks import Answer, CheckContext, CheckResult, build_check
from autograder.feedback import Finding
from autograder.runner import Job, run_isolated
from autograder.spec import AnswerSpec, CheckSpec

ANSWER = AnswerSpec("answer", "passwords", "your module", ("make", "check"))
OPTIONS = {"hash": "make", "verify": "check"}

GOOD = """\
import hashlib
import hmac
import secrets

ROUNDS = 600_000


def make(password):
    salt = secrets.token_bytes(16)
    key = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ROUNDS)
    return salt.hex() + ":" + key.hex()


def check(password, stored):
    salt, key = stored.split(":")
    salt = bytes.fromhex(salt)
    again = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ROUNDS)
    return hmac.compare_digest(again.hex(), key)
"""

MD5 = """\
import hashlib


def make(password):
    return hashlib.md5(password.encode()).hexdigest()


def check(password, stored):
    return make(password) == stored
"""

TESTS = """\
%%check passwords
PASSWORDS = ["hunter2"]
"""


def run(source: str, settings: Settings, **options: object) -> CheckResult:
    job = Job(
        checks={0: CheckSpec("password-hash", 2.0, "answer", {**OPTIONS, **options})},
        answers={"answer": (ANSWER, source)},
        tests=split_tests("passwords", TESTS),
    )
    return run_isolated(job, settings)[0]


def ids(result: CheckResult) -> list[str]:
    return [finding.id for finding in result.findings]


def only(result: CheckResult, finding_id: str) -> Finding:
    [finding] = [f for f in result.findings if f.id == finding_id]
    return finding


def test_salted_pbkdf2_compared_in_constant_time_earns_everything(
    settings: Settings,
) -> None:
    result = run(GOOD, settings)
    assert result.fraction == 1.0
    assert ids(result) == ["security.password-clean"]
    assert "`pbkdf2_hmac`" in result.findings[0].message


def test_unsalted_md5_compared_with_equality_misses_all_three(
    settings: Settings,
) -> None:
    result = run(MD5, settings)
    assert result.fraction == 0.0
    assert ids(result) == [
        "security.password-unsalted",
        "security.password-fast-hash",
        "security.password-equality",
    ]
    fast = only(result, "security.password-fast-hash")
    assert "with `md5`" in fast.message
    assert fast.location is not None
    assert fast.location.line == 5
    equality = only(result, "security.password-equality")
    assert equality.location is not None
    assert equality.location.line == 9


def test_too_few_iterations_cost_a_third(settings: Settings) -> None:
    result = run(GOOD.replace("600_000", "10_000"), settings)
    assert result.fraction == pytest.approx(2 / 3)
    finding = only(result, "security.password-weak-cost")
    assert "sha256, 10000 iterations" in finding.message
    assert "sha256 with ≥ 600000 iterations" in finding.message
    assert finding.location is not None
    assert finding.location.line == 10


def test_the_minimum_cost_is_an_option(settings: Settings) -> None:
    source = GOOD.replace("600_000", "10_000")
    assert run(source, settings, pbkdf2_sha256=10_000).fraction == 1.0


def test_a_short_salt_is_not_enough(settings: Settings) -> None:
    result = run(GOOD.replace("token_bytes(16)", "token_bytes(4)"), settings)
    assert result.fraction == pytest.approx(2 / 3)
    finding = only(result, "security.password-short-salt")
    assert "The salt is 4 bytes; at least 16" in finding.message


def test_a_fast_hash_with_a_salt_is_still_fast(settings: Settings) -> None:
    source = GOOD.replace(
        'hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ROUNDS)',
        "hashlib.sha256(salt + password.encode()).digest()",
    )
    result = run(source, settings)
    assert ids(result) == ["security.password-fast-hash"]
    assert result.fraction == pytest.approx(2 / 3)


def test_scrypt_is_judged_by_n_and_r(settings: Settings) -> None:
    source = GOOD.replace(
        'hashlib.pbkdf2_hmac("sha256", password.encode(), salt, ROUNDS)',
        "hashlib.scrypt(password.encode(), salt=salt, n=2**10, r=8, p=1)",
    )
    result = run(source, settings)
    finding = only(result, "security.password-weak-cost")
    assert "`scrypt` runs with n=1024, r=8, p=1" in finding.message
    assert run(source, settings, scrypt_n=1024).fraction == 1.0


def test_compare_digest_whose_verdict_is_ignored_does_not_count(
    settings: Settings,
) -> None:
    source = GOOD.replace(
        "    return hmac.compare_digest(again.hex(), key)",
        "    hmac.compare_digest(again.hex(), key)\n    return again.hex() == key",
    )
    result = run(source, settings)
    finding = only(result, "security.password-equality")
    assert finding.location is not None
    assert finding.location.line == 19


def test_a_verify_that_accepts_anything_fails_the_gate(settings: Settings) -> None:
    source = GOOD.replace(
        "    return hmac.compare_digest(again.hex(), key)",
        "    hmac.compare_digest(again.hex(), key)\n    return True",
    )
    result = run(source, settings)
    assert result.fraction == 0.0
    finding = result.findings[0]
    assert finding.id == "security.password-broken"
    assert "`check` returned True for a wrong password" in finding.message


def test_a_stored_password_in_clear_fails_the_gate(settings: Settings) -> None:
    source = GOOD.replace(
        'return salt.hex() + ":" + key.hex()',
        'return salt.hex() + ":" + key.hex() + ":" + password',
    ).replace('salt, key = stored.split(":")', 'salt, key, _ = stored.split(":")')
    result = run(source, settings)
    assert result.fraction == 0.0
    assert "contains the password itself" in result.findings[0].message


def test_a_huge_cost_still_checks_quickly(settings: Settings) -> None:
    start = time.perf_counter()
    result = run(GOOD.replace("600_000", "50_000_000"), settings)
    assert result.fraction == 1.0
    assert time.perf_counter() - start < 5


def test_hashlib_and_compare_digest_are_given_back(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    originals = (hashlib.pbkdf2_hmac, hashlib.sha256, hmac.compare_digest)
    path = tmp_path / "passwords.py"
    path.write_text(GOOD, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    answer = Answer(ANSWER, GOOD, path)
    context = CheckContext(
        workdir=tmp_path,
        answer=answer,
        answers={"answer": answer},
        tests=split_tests("passwords", TESTS),
        settings=settings,
        on_event=lambda event: None,
    )
    result = build_check("password-hash", OPTIONS).run(context)
    assert result.fraction == 1.0
    assert (hashlib.pbkdf2_hmac, hashlib.sha256, hmac.compare_digest) == originals
    assert secrets.compare_digest is hmac.compare_digest
