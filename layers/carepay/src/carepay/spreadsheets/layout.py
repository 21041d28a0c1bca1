"""What every workbook carepay writes has in common: text never runs, wrapped text gets its height."""

from __future__ import annotations

# A cell whose text starts with one of these would be read as a formula (CSV/formula injection).
TEXT_THAT_WOULD_RUN = ("=", "+", "-", "@", "\t", "\r")
LINE_HEIGHT = 15  # points, for the default 11 pt font


def wrapped_lines(text: str, width: int) -> int:
    """How many lines `text` takes in a wrapped column `width` characters wide (roughly)."""
    return sum(max(1, -(-len(paragraph) // width)) for paragraph in text.split("\n")) if text else 1


def column_letter(number: int) -> str:
    """1 → A, 27 → AA (openpyxl has one, but importing openpyxl costs every handler's start-up)."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
