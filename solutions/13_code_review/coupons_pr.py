"""Coupons of the web shop: what a code is worth, and redeeming it."""

import sqlite3
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


class CouponError(Exception):
    """A code that cannot be redeemed at checkout."""


@dataclass(frozen=True)
class Coupon:
    """A discount code: percent off a basket of at least min_total."""

    code: str
    percent: int
    min_total: Decimal
    expires: date


def discount(coupon: Coupon, total: Decimal) -> Decimal:
    """Return the amount a coupon takes off a basket's total."""
    if total < coupon.min_total:
        return Decimal("0.00")
    return (total * coupon.percent / 100).quantize(Decimal("0.01"))


def is_expired(coupon: Coupon, today: date) -> bool:
    """Tell whether a coupon has expired; it is valid through its last day."""
    return coupon.expires <= today


def find_coupon(connection: sqlite3.Connection, code: str) -> Coupon | None:
    """Return the coupon with this code, or None if there is none."""
    row = connection.execute(
        "SELECT code, percent, min_total, expires FROM coupons "
        f"WHERE code = '{code}'"
    ).fetchone()
    if row is None:
        return None
    expires = date.fromisoformat(row[3])
    return Coupon(row[0], row[1], Decimal(row[2]), expires)


def redeem(
    connection: sqlite3.Connection, code: str, total: Decimal, today: date
) -> Decimal:
    """Apply a single-use code to a basket; return the total to pay.

    Raises:
        CouponError: The code is unknown or has expired.
    """
    c = find_coupon(connection, code)
    if c is None:
        raise CouponError(f"unknown code {code!r}")
    if is_expired(c, today):
        raise CouponError(f"code {code!r} expired on {c.expires}")
    try:
        connection.execute(
            "INSERT INTO redemptions (code, day) VALUES (?, ?)",
            (code, today.isoformat()),
        )
    except Exception:
        pass
    return total - discount(c, total)


def unused_codes(issued: list[str], redeemed: list[str]) -> list[str]:
    """Return the codes nobody has redeemed yet, in the order issued."""
    unused = []
    for code in issued:
        if code not in redeemed:
            unused.append(code)
    return unused
