"""Accounts of the team wiki: users, attachments, preferences, passwords.

Everything here works for the input its author had in mind. None of it
was written with a hostile user in mind.
"""

import hashlib
import os
import sqlite3
from pathlib import Path


def find_user(
    connection: sqlite3.Connection, username: str
) -> list[tuple[int, str, str]]:
    """Return (id, username, email) of every user with exactly this name."""
    query = (
        "SELECT id, username, email FROM users "
        f"WHERE username = '{username}'"
    )
    rows: list[tuple[int, str, str]] = connection.execute(query).fetchall()
    return rows


def read_attachment(base_dir: Path, name: str) -> str:
    """Return the text of the attachment `name`, a path inside `base_dir`."""
    path = os.path.join(base_dir, name)
    with open(path, encoding="utf-8") as file:
        return file.read()


def parse_preferences(text: str) -> dict[str, object]:
    """Read preferences saved as a Python dict, such as "{'theme': 'dark'}"."""
    preferences: dict[str, object] = eval(text)
    return preferences


def hash_password(password: str) -> str:
    """Turn a password into the text stored in the users table."""
    return hashlib.md5(password.encode()).hexdigest()


def verify_password(password: str, stored: str) -> bool:
    """Tell whether `password` is the one `stored` was made from."""
    return hash_password(password) == stored
