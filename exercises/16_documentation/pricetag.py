"""Format and parse amounts of money for people to read.

Two functions do the work, :func:`format_price` and :func:`parse_price`;
three environment variables set their defaults (``PRICETAG_CURRENCY``,
``PRICETAG_DECIMALS``, ``PRICETAG_GROUPING``).
"""

from __future__ import annotations

import os
import warnings
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__version__ = "1.3.0"
__license__ = "MIT"

__all__ = ["PriceError", "format_price", "parse_price"]

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥"}
"""Currencies written with a symbol; any other code is written in front."""

MAX_DECIMALS = 4
ISO_CODE_LENGTH = 3


class PriceError(ValueError):
    """A value that is not an amount, or a text that is not a price."""


def _setting(name: str, default: str) -> str:
    return os.environ.get(f"PRICETAG_{name}", default).strip()


def _decimals() -> int:
    text = _setting("DECIMALS", "2")
    if not text.isdigit() or int(text) > MAX_DECIMALS:
        limit = f"0 to {MAX_DECIMALS}"
        raise PriceError(f"PRICETAG_DECIMALS must be {limit}, not {text!r}")
    return int(text)


def format_price(
    amount: Decimal | int | str, currency: str | None = None
) -> str:
    """Write an amount with its currency, rounded, for people to read.

    Args:
        amount: The amount. Strings are read exactly (as :class:`Decimal`);
            floats are refused, since they cannot hold most prices exactly.
        currency: An ISO 4217 code such as ``"USD"``; when omitted,
            ``PRICETAG_CURRENCY`` (default ``EUR``).

    Returns:
        The price: ``'€1,234.50'``, or ``'CHF 12.00'`` for a currency with
        no symbol. Halves round up, away from zero.

    Raises:
        PriceError: The amount is a float or not a number, or a setting
            is invalid.
    """
    if isinstance(amount, float):
        raise PriceError(f"pass {amount!r} as a str or Decimal, not a float")
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation as error:
        raise PriceError(f"{amount!r} is not an amount") from error
    code = (currency or _setting("CURRENCY", "EUR")).upper()
    decimals = _decimals()
    step = Decimal(1).scaleb(-decimals)
    rounded = value.quantize(step, rounding=ROUND_HALF_UP)
    grouping = "," if _setting("GROUPING", "1") != "0" else ""
    digits = f"{abs(rounded):{grouping}.{decimals}f}"
    sign = "-" if rounded < 0 else ""
    symbol = SYMBOLS.get(code)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{code} {digits}"


def parse_price(text: str) -> tuple[Decimal, str]:
    """Read back a price that :func:`format_price` wrote.

    Args:
        text: A price such as ``'€1,234.50'`` or ``'CHF 12.00'``.

    Returns:
        The amount and the currency code.

    Raises:
        PriceError: The text is not a price.
    """
    body = text.strip()
    sign = ""
    if body.startswith("-"):
        sign, body = "-", body[1:]
    by_symbol = {symbol: code for code, symbol in SYMBOLS.items()}
    if body[:1] in by_symbol:
        code, number = by_symbol[body[:1]], body[1:]
    else:
        code, _, number = body.partition(" ")
    try:
        amount = Decimal(sign + number.replace(",", ""))
    except InvalidOperation as error:
        raise PriceError(f"{text!r} is not a price") from error
    if not (code.isalpha() and len(code) == ISO_CODE_LENGTH):
        raise PriceError(f"{text!r} has no currency")
    return amount, code.upper()


def fmt(amount: Decimal | int | str, currency: str | None = None) -> str:
    """Do what :func:`format_price` does (deprecated; removed in 2.0).

    Args:
        amount: The amount.
        currency: The currency code.

    Returns:
        The price.
    """
    warnings.warn(
        "fmt() is deprecated; use format_price()",
        DeprecationWarning,
        stacklevel=2,
    )
    return format_price(amount, currency)
