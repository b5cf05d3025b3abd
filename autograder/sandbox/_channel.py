"""Sealed lines: JSON with an HMAC, so a reader can tell who wrote them.

A line is ``<hex HMAC-SHA256> <canonical JSON>``. The key is made per run by
the party that reads (:func:`new_key`) and handed to the writer over a pipe;
learner code never holds it, so nothing it prints, writes or sends can pass
for a result.
"""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Any

KEY_BYTES = 32


def new_key() -> bytes:
    """Make a fresh random key.

    Returns:
        The key.
    """
    return secrets.token_bytes(KEY_BYTES)


def seal(key: bytes | bytearray, payload: dict[str, Any]) -> str:
    """Turn a payload into one sealed line.

    Args:
        key: The shared key.
        payload: JSON-able data.

    Returns:
        The line, ending with a newline.
    """
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    mac = hmac.digest(bytes(key), body.encode("utf-8"), "sha256").hex()
    return f"{mac} {body}\n"


def unseal(key: bytes | bytearray, line: str) -> dict[str, Any]:
    """Check a sealed line and return its payload.

    Args:
        key: The shared key.
        line: The line.

    Returns:
        The payload.

    Raises:
        ValueError: The line is not sealed with this key, or not JSON.
    """
    mac, _, body = line.rstrip("\n").partition(" ")
    expected = hmac.digest(bytes(key), body.encode("utf-8"), "sha256").hex()
    if not hmac.compare_digest(mac, expected):
        raise ValueError("the line's seal does not match")
    payload = json.loads(body)
    if not isinstance(payload, dict):
        raise ValueError("the sealed payload is not an object")  # noqa: TRY004
    return payload
