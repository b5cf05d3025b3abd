"""Does the hardcoded-config check find URLs, paths and credentials in code?

The reading is tested on its own (what counts, what does not), and the check
as the engine runs it: points by the number of places, the feedback at the
learner's line, and a credential's value never repeated.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder import Settings
from autograder.checks import build_check
from autograder.checks._hardcoded_config import find_hardcoded

from .helpers import run_check

CLEAN = '''\
"""Settings read from the environment; see https://12factor.net/config."""

import os
from pathlib import Path

PREFIX = "SHOP_"
DATA_DIR = Path("data")
SECRET_FIELDS = frozenset({"api_token"})


def api_token(environ: dict[str, str]) -> str:
    """Return the token; docs at /usr/share/doc/shop."""
    token = environ.get(PREFIX + "API_TOKEN", "")
    if not token:
        raise KeyError(PREFIX + "API_TOKEN")
    return token


def url(host: str) -> str:
    return f"https://{host}/api" + "/".join(["a", "b"])
'''

HARDCODED = """\
import os

API_TOKEN = "sk-live-4f9a2c"
CONFIG_FILE = "/etc/shop/settings.toml"


def token() -> str:
    return os.environ.get("SHOP_API_TOKEN", "dev-token")


def endpoint() -> str:
    return "https://payments.example.com/v1"
"""


def kinds(source: str, **options: tuple[str, ...]) -> list[tuple[int, str]]:
    return [(item.line, item.kind) for item in find_hardcoded(source, **options)]


def test_clean_code_has_nothing_to_report() -> None:
    assert find_hardcoded(CLEAN) == []


def test_each_kind_is_found_at_its_line() -> None:
    assert kinds(HARDCODED) == [
        (3, "credential"),
        (4, "path"),
        (8, "fallback"),
        (12, "url"),
    ]


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('DB = "postgresql://shop:pw@db.internal/shop"\n', "url"),
        ('URL = "see http://localhost:8000 for it"\n', "url"),
        ('P = "~/shop/config.toml"\n', "path"),
        ('P = "C:\\\\shop\\\\data"\n', "path"),
        ('P = "/var/lib/shop"\n', "path"),
        ('password = "hunter2"\n', "credential"),
        ('apiKey = "k-1"\n', "credential"),
        ('API_KEY = "AKIA4F9A2C7E1B"\n', "credential"),
        ('settings["db_password"] = "pw"\n', "credential"),
        ('CONF = {"access_key": "AKIA123abc"}\n', "credential"),
        ('connect(private_key="---x---")\n', "credential"),
        ('def f(token="abc"): ...\n', "credential"),
        ('def f(*, secret="abc"): ...\n', "credential"),
        ("class S:\n    api_token: str = field(default='dev')\n", "credential"),
        ('os.getenv("DB_PASSWORD", "dev")\n', "fallback"),
        ('environ.setdefault("SHOP_API_TOKEN", "dev")\n', "fallback"),
        ('VAR = "SHOP_TOKEN"\nenv.get(VAR, default="x")\n', "fallback"),
    ],
)
def test_a_value_that_belongs_in_configuration_is_found(
    source: str, found: str
) -> None:
    assert [item.kind for item in find_hardcoded(source)] == [found]


@pytest.mark.parametrize(
    "source",
    [
        'LOCAL = "sqlite:///shop.db"\n',
        'SEP = "/"\n',
        'REL = "data/cache"\n',
        'URL = f"https://{host}/v1"\n',
        'URL = "https://{}/v1".format(host)\n',
        'TOKEN_VARIABLE = "SHOP_API_TOKEN"\n',
        'PASSWORD_FIELD = "password"\n',
        'token = ""\n',
        'os.environ.get("SHOP_API_TOKEN", "")\n',
        'os.environ.get("SHOP_PORT", "8000")\n',
        'user = "bob"\n',
        "def f():\n    '''Read /etc/shop and https://example.com.'''\n",
    ],
)
def test_names_relative_paths_and_filled_in_urls_are_not_reported(
    source: str,
) -> None:
    assert find_hardcoded(source) == []


def test_options_choose_what_to_look_for_and_what_is_allowed() -> None:
    assert kinds(HARDCODED, look_for=("urls",)) == [(12, "url")]
    allowed = ("https://payments.example.com/v1", "/etc/shop/settings.toml")
    assert kinds(HARDCODED, allow=allowed) == [(3, "credential"), (8, "fallback")]
    assert kinds('dsn = "x:y"\n', credential_words=("dsn",)) == [(1, "credential")]


def test_points_fall_with_each_place_found(settings: Settings, tmp_path: Path) -> None:
    result = run_check(
        "hardcoded-config",
        {"allowance": 8},
        HARDCODED,
        workdir=tmp_path,
        settings=settings,
    )
    assert result.fraction == pytest.approx(0.5)
    first = result.findings[0]
    assert first.id == "config.hardcoded-credential"
    assert first.location is not None
    assert (first.location.cell, first.location.line) == ("solution", 3)
    assert "`API_TOKEN`" in first.message
    assert "a string of 14 characters" in first.message
    assert first.link == "12_configuration#Secrets-come-only-from-the-environment"
    shown = " ".join(f.message for f in result.findings)
    assert "sk-live" not in shown
    assert "dev-token" not in shown
    assert "`/etc/shop/settings.toml`" in shown


def test_a_password_in_a_url_is_masked(settings: Settings, tmp_path: Path) -> None:
    source = 'DB = "postgresql://shop:hunter2@db.internal/shop"\n'
    result = run_check(
        "hardcoded-config", {}, source, workdir=tmp_path, settings=settings
    )
    [finding] = result.findings
    assert "postgresql://shop:***@db.internal/shop" in finding.message
    assert "hunter2" not in finding.message
    assert result.fraction == pytest.approx(2 / 3)


def test_clean_code_earns_everything_and_is_told_so(
    settings: Settings, tmp_path: Path
) -> None:
    result = run_check(
        "hardcoded-config", {}, CLEAN, workdir=tmp_path, settings=settings
    )
    assert result.fraction == 1.0
    assert [f.id for f in result.findings] == ["config.hardcoded-clean"]


@pytest.mark.parametrize(
    "options",
    [{"look_for": ["hosts"]}, {"look_for": []}, {"allowance": 0}, {"colour": 1}],
)
def test_bad_options_are_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="hardcoded-config"):
        build_check("hardcoded-config", options)
