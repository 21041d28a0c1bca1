"""A row of a spreadsheet as read: cells by column key, untouched, with its row number in the file."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SheetRow:
    row_number: int
    cells: Mapping[str, object]

    def text(self, key: str) -> str:
        value = self.cells.get(key)
        if value is None:
            return ""
        if type(value) is str:  # the usual cell, checked first: this runs several times a row
            return value.strip()
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value).strip()
