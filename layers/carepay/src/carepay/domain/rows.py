"""A row of a spreadsheet as read: cells by column key, untouched, with its row number in the file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

# The longest text a cell may hold: a comment says why in a sentence or two, and every row
# becomes one stored item (DynamoDB's limit is 400 KB) and one line of feedback.
MAX_CELL_CHARS = 1_000

# Characters that show as nothing: pasted from web pages and messaging apps into an SS Ref or a
# heading, they make a value that looks identical to a valid one fail to match.
INVISIBLE = dict.fromkeys(
    [0x00AD, 0x180E, *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2070), 0xFEFF]
)


def visible(text: str) -> str:
    """The text without invisible characters (checked cheaply first: most text is ASCII)."""
    return text if text.isascii() else text.translate(INVISIBLE)


@dataclass(frozen=True, slots=True)
class SheetRow:
    row_number: int
    cells: Mapping[str, object]

    def overlong(self, keys: tuple[str, ...]) -> list[tuple[str, int]]:
        """Those of `keys` whose text is longer than a cell may be, with their length."""
        cells = self.cells
        return [
            (key, len(value))
            for key in keys
            if type(value := cells.get(key)) is str and len(value) > MAX_CELL_CHARS
        ]

    def is_empty(self, key: str) -> bool:
        """True when the cell shows nothing (absent, or only spaces and invisible characters)."""
        value = self.cells.get(key)
        return value is None or (type(value) is str and not self.text(key))

    def text(self, key: str) -> str:
        value = self.cells.get(key)
        if value is None:
            return ""
        if type(value) is str:  # the usual cell, checked first: this runs several times a row
            return (value if value.isascii() else value.translate(INVISIBLE)).strip()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()
