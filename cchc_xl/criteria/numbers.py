"""Exact decimal arithmetic and Vietnamese number formatting.

Points are decimals (0,35; 4,5). Floats from spreadsheet cells are converted through their
shortest repr so 0.1 stays 0.1. Rounding is half up (away from zero for our non-negative values),
as the official tables and Excel's ROUND do.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

TWO_PLACES = Decimal("0.01")
FOUR_PLACES = Decimal("0.0001")


def to_decimal(value: object) -> Decimal:
    """A Decimal from an int, float, Decimal or numeric string; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"not a number: {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"not a finite number: {value!r}")
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            result = Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
        if not result.is_finite():
            raise ValueError(f"not a finite number: {value!r}")
        return result
    raise ValueError(f"not a number: {value!r}")


def round_half_up(value: Decimal, places: Decimal = TWO_PLACES) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """Shortest plain form with a dot: Decimal('2.50') → '2.5', Decimal('3.00') → '3'."""
    text = format(value.normalize(), "f")
    return text


def vn_number(value: Decimal | float, places: int | None = None) -> str:
    """Vietnamese form with a decimal comma: 1.5 → '1,5'; with places=2: '1,50'."""
    number = to_decimal(value)
    if places is not None:
        number = round_half_up(number, Decimal(1).scaleb(-places))
        text = format(number, f",.{places}f")
    else:
        text = format(number.normalize(), ",f")
    # Vietnamese: thousands with '.', decimals with ','.
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def vn_percent(fraction: Decimal, places: int = 2) -> str:
    """0.8917 → '89,17%'."""
    return vn_number(fraction * 100, places) + "%"
