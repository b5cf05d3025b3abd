"""Is the repository ready for Binder, and does its badge open lesson 00?"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[2]
BADGE = re.compile(
    r"\[!\[Binder\]\((?P<image>[^)]+)\)\]\((?P<link>https://mybinder\.org/[^)\s]+)\)"
)


def test_binder_environment_is_the_root_one() -> None:
    """Is binder/environment.yml a link to the root environment.yml, not a copy?"""
    link = ROOT / "binder" / "environment.yml"
    assert link.is_symlink()
    assert os.readlink(link) == "../environment.yml"
    assert link.resolve() == (ROOT / "environment.yml").resolve()


def test_readme_badge_opens_lesson_00_in_jupyterlab() -> None:
    """Does the README's Binder badge open lessons/00_welcome.ipynb in JupyterLab?"""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    badges = list(BADGE.finditer(readme))
    assert len(badges) == 1, "expected exactly one Binder badge in the README"
    link = urlsplit(badges[0]["link"])
    assert link.path.startswith("/v2/gh/")
    urlpath = parse_qs(link.query)["urlpath"]
    assert urlpath == ["lab/tree/lessons/00_welcome.ipynb"]
    assert (ROOT / "lessons" / "00_welcome.ipynb").is_file()
    assert badges[0]["image"] == "https://mybinder.org/badge_logo.svg"


def test_postbuild_is_executable() -> None:
    """Can repo2docker run binder/postBuild as a program?"""
    post_build = ROOT / "binder" / "postBuild"
    assert os.access(post_build, os.X_OK)
    assert post_build.read_text(encoding="utf-8").startswith("#!/usr/bin/env bash\n")
