"""The shop's report helpers, before any pattern: it works, until it grows.

Every new export format means another ``elif`` in ``export``; every new price
rule, another ``elif`` in ``checkout_total``; and ``get_settings`` builds the
settings on first use, which is fine until two threads ask at once.
"""

import csv
import io
import json


def export(rows, kind):
    """Turn rows (dicts) into text: "csv" or "json"."""
    if kind == "csv":
        if not rows:
            return ""
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer, fieldnames=list(rows[0]), lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
        return buffer.getvalue()
    elif kind == "json":
        return json.dumps([dict(row) for row in rows])
    else:
        raise KeyError(kind)


def checkout_total(prices, pricing="full"):
    """Add the prices up and price the sum by the named rule."""
    subtotal = sum(prices)
    if pricing == "full":
        price = subtotal
    elif pricing == "ten_off":
        price = subtotal * 0.9
    elif pricing == "summer_sale":
        price = subtotal * 0.75
    else:
        raise ValueError(f"unknown pricing {pricing}")
    return round(price, 2)


class Settings:
    """The shop's settings."""

    def __init__(self):
        self.currency = "EUR"
        self.tax_rate = 0.2
        self.exporter = "csv"


_settings = None


def get_settings():
    """Return the shop's settings, made on first use."""
    global _settings
    if _settings is None:
        _settings = Settings()
    return _settings
