"""Exact quantities and money.

Quantities are counted in quarter units (0.25 h) and money in pence, both as integers, so no
rule ever sees a float. A quarter of real line amounts land on an exact half-penny (quarter
hours at odd-penny rates), so rounding is half-up and done once, at the end.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from fractions import Fraction

from carepay.domain.rows import visible

QUARTERS_PER_UNIT = 4
MAX_WEEKLY_QUANTITY = Decimal(168)
PENNY = Decimal("0.01")


class NotAQuarterMultiple(ValueError):
    """The quantity is not a non-negative multiple of 0.25 within the week's 168 hours (V1)."""


def parse_decimal(value: object) -> Decimal | None:
    """A number from a cell: int, float (from a spreadsheet), Decimal or text such as ' 2.5 '."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # Spreadsheets store 2.3 as the nearest binary double; repr gives back what was typed.
        return Decimal(repr(value))
    text = visible(str(value)).strip()
    if not text:
        return None
    if "_" in text:  # Decimal reads "4_1" as 41; in a sheet it is a typing slip
        raise InvalidOperation(text)
    try:
        return Decimal(text)
    except InvalidOperation:
        text = text.lstrip("£")
        whole, comma, fraction = text.partition(",")
        if comma and "," not in fraction and "." not in text and len(fraction) in (1, 2):
            return Decimal(f"{whole}.{fraction}")  # "5,5" or "7,25": a decimal comma
        return Decimal(text.replace(",", ""))  # "1,000" or "£5" as typed in a sheet


def to_quarters(quantity: Decimal) -> int:
    """Quarter units in `quantity`, or NotAQuarterMultiple (V1)."""
    if quantity.is_nan() or quantity < 0 or quantity > MAX_WEEKLY_QUANTITY:
        raise NotAQuarterMultiple(str(quantity))
    quarters = quantity * QUARTERS_PER_UNIT
    if quarters != quarters.to_integral_value():
        raise NotAQuarterMultiple(str(quantity))
    return int(quarters)


def quarters_to_decimal(quarters: int) -> Decimal:
    return (Decimal(quarters) / QUARTERS_PER_UNIT).quantize(PENNY)


def pounds_to_pence(pounds: Decimal) -> Fraction:
    """Exact pence, kept as a fraction so a rate such as £19.125 or a day-weighted average stays exact."""
    return Fraction(pounds) * 100


def round_half_up_pence(pence: Fraction) -> int:
    """Round exact pence to a whole penny, halves away from zero (a recoup rounds like a payment)."""
    magnitude = (abs(pence) * 2 + 1) // 2
    return int(magnitude) if pence >= 0 else -int(magnitude)


def line_amount_pence(quarters: int, weekly_rate_pence: Fraction) -> int:
    """Amount = quantity × rate, rounded half-up to the penny, once."""
    if weekly_rate_pence.denominator == 1 and quarters >= 0 and weekly_rate_pence.numerator >= 0:
        # The usual case, a whole-penny rate: integers only (Fraction arithmetic is ~20× slower).
        return (quarters * weekly_rate_pence.numerator + 2) // QUARTERS_PER_UNIT
    return round_half_up_pence(Fraction(quarters, QUARTERS_PER_UNIT) * weekly_rate_pence)


def format_pounds(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}£{abs(pence) // 100:,}.{abs(pence) % 100:02d}"
