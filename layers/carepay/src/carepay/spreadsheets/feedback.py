"""The feedback a provider gets seconds after an upload, as JSON (the workbook that says the
same is written by `feedback_xlsx`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from pydantic import BaseModel, Field


# A row's feedback and its findings are plain frozen dataclasses, not pydantic models: a
# 100,000-row upload holds one for every row, and a model each took ~120 MB of its memory.
# The feedback model below serialises and parses them as it would models.
@dataclass(frozen=True, slots=True)
class FindingOut:
    code: str
    message: str
    column: str | None = None


REGISTER_ROWS = "register"  # RowFeedback.sheet of a day-care register's rows


@dataclass(frozen=True, slots=True)
class RowFeedback:
    row: int
    status: str
    sheet: str = ""  # "register" for a register's row; its row numbers are that sheet's
    line_ref: str | None = None
    week_commencing: date | None = None
    errors: tuple[FindingOut, ...] = ()
    warnings: tuple[FindingOut, ...] = ()
    exceptions: tuple[FindingOut, ...] = ()


class WeekConfirmationOut(BaseModel):
    week_commencing: date
    status: str  # confirmed | confirmed late | not confirmed | refused | already confirmed
    lines_confirmed: int = 0
    lines_confirmed_as_planned: int = 0
    message: str = ""


class SubmissionFeedback(BaseModel):
    """The JSON contract of feedback/{provider}/{name}.feedback.json (documented in the README)."""

    kind: str  # upload | confirmation
    provider_ref: str
    provider_name: str = ""
    file: str
    sheet: str = ""  # the workbook's sheet the rows were read from (empty for CSV and Sheets)
    source_key: str  # the inbound object this feedback answers
    upload_id: str
    uploaded_at: datetime
    accepted: int = 0
    rejected: int = 0
    file_rejected: bool = False
    file_findings: list[FindingOut] = Field(default_factory=list)
    confirmations: list[WeekConfirmationOut] = Field(default_factory=list)
    next_step: str = ""
    rows: list[RowFeedback] = Field(default_factory=list)

    def json_bytes(self) -> bytes:
        """The feedback as the JSON file providers are given, made once, straight to bytes
        (model_dump_json gives text, and a 100,000-row file's text and bytes are ~30 MB each)."""
        return self.__pydantic_serializer__.to_json(self, indent=1)
