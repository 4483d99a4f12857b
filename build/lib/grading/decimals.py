"""Reported numbers: aggregate in float64, then drop binary noise and round half up to two decimals.

A mean such as 69.99999999999997 must read 70.00 and pass a 70-point mark every time: values are first
rounded to 10 decimal places (far below any meaningful difference, far above float noise), then rounded
half up (ROUND_HALF_UP) to 0.01. Every pass/fail and tier decision compares these Decimals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def report(value: float | Decimal) -> Decimal:
    """A reported score: two decimals, half up, free of float noise."""
    if isinstance(value, Decimal):
        return value.quantize(CENT, rounding=ROUND_HALF_UP)
    return Decimal(repr(round(float(value), 10))).quantize(CENT, rounding=ROUND_HALF_UP)
