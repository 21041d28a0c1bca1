"""Findings: what carepay tells a provider about a row or a file, with the rule book's codes."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"  # the row (or file) is rejected
    WARNING = "warning"  # accepted, but the provider should know
    EXCEPTION = "exception"  # stored with the line-week; X2 and X3 hold payment


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    message: str
    severity: Severity
    column: str | None = None

    def as_dict(self) -> dict[str, str]:
        found = {"code": self.code, "message": self.message}
        if self.column:
            found["column"] = self.column
        return found


def error(code: str, message: str, column: str | None = None) -> Finding:
    return Finding(code, message, Severity.ERROR, column)


def warning(code: str, message: str, column: str | None = None) -> Finding:
    return Finding(code, message, Severity.WARNING, column)


def exception(code: str, message: str) -> Finding:
    return Finding(code, message, Severity.EXCEPTION)
