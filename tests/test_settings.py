"""Do settings come from the environment, with documented defaults and clear errors?"""

from pathlib import Path

import pytest

from autograder import ConfigError, load_settings
from autograder._settings import OPTIONS


def test_defaults_apply_when_nothing_is_set() -> None:
    settings = load_settings({})
    assert settings.check_timeout == 10.0
    assert settings.cpu_limit == 10
    assert settings.cache_dir.is_absolute()
    assert settings.mypy_cache_dir.parent == settings.cache_dir


def test_environment_overrides_defaults(tmp_path: Path) -> None:
    settings = load_settings(
        {"COURSE_CACHE_DIR": str(tmp_path), "COURSE_CHECK_TIMEOUT": "2.5"}
    )
    assert settings.cache_dir == tmp_path
    assert settings.check_timeout == 2.5


@pytest.mark.parametrize("value", ["soon", "0", "-3"])
def test_a_bad_value_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"COURSE_CPU_LIMIT": value})
    assert caught.value.name == "COURSE_CPU_LIMIT"
    assert value in str(caught.value)


def test_to_env_round_trips(tmp_path: Path) -> None:
    settings = load_settings({"COURSE_DATA_DIR": str(tmp_path)})
    assert load_settings(settings.to_env()) == settings


def test_every_option_is_documented() -> None:
    assert all(
        option.help and option.env.startswith("COURSE_") for option in OPTIONS.values()
    )
