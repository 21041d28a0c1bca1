"""What the portal's API answers: typed views the page renders, in the domain's words."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class ProgressView(BaseModel):
    """The financial year's bar: weeks confirmed (green), in progress (amber), late, to come."""

    year: str  # "2026-27"
    confirmed: int
    in_progress: int
    late: int
    not_yet_due: int


class SupplierView(BaseModel):
    provider_ref: str
    provider_name: str
    progress: ProgressView
    week_to_act_on: date | None  # the oldest week still to confirm, else the latest ended


class HomeView(BaseModel):
    council_name: str
    message: str
    message_level: str  # welcome | warning | error
    email: str
    suppliers: list[SupplierView]


class FindingView(BaseModel):
    code: str
    message: str


class LineView(BaseModel):
    line_ref: str
    ss_ref: str
    service_type: str
    service_level: str
    unit: str
    planned: str
    planned_visits: int | None
    reported: bool
    actual: str | None
    frustrated: str | None
    missed: str | None
    extra: str | None
    status: str
    findings: list[FindingView]
    reported_in: str  # the file or channel of the report shown, "" when nothing was reported


class PreviewLineView(BaseModel):
    line_ref: str
    payable: str
    amount: str
    note: str


class PreviewView(BaseModel):
    message: str
    total: str
    lines: list[PreviewLineView]


class WeekView(BaseModel):
    provider_ref: str
    provider_name: str
    week_commencing: date
    week_ending: date
    status: str
    deadline: datetime
    next_step: str
    can_confirm: bool
    confirm_note: str  # what confirming now means (late: paid by the next run)
    lines: list[LineView]
    preview: PreviewView | None
    has_claim: bool = True  # weekly lines: a claim sheet and its CSV
    has_register: bool = False  # Day Care lines: a register sheet and its CSV


class WeekListView(BaseModel):
    provider_ref: str
    year: str
    weeks: list[WeekRow]


class WeekRow(BaseModel):
    week_commencing: date
    status: str
    planned_lines: int


class DownloadView(BaseModel):
    url: str
    file_name: str
    expires_in_seconds: int


class UploadFormView(BaseModel):
    url: str
    fields: dict[str, str]
    key: str
    result: str  # the API path that answers with the result once it is ready
    most_bytes: int


class ResultView(BaseModel):
    """A file's result: ready (with the feedback as the provider's JSON) or still being checked."""

    ready: bool
    key: str
    feedback: dict[str, object] | None = None
    feedback_workbook: str = ""  # the API path of the feedback workbook's download, when ready


class FileView(BaseModel):
    key: str
    name: str
    kind: str  # claim | feedback | remittance
    size: int
    last_modified: datetime


class FilesView(BaseModel):
    provider_ref: str
    files: list[FileView]


class SentView(BaseModel):
    """A request the portal wrote for the pipeline (a confirmation): where its result appears."""

    key: str
    result: str


class MessageView(BaseModel):
    author: str  # "You" for the provider's own, "Council" for the council's
    text: str
    at: datetime


class QueryView(BaseModel):
    query_id: str
    kind: str
    about: str
    status: str
    opened_at: datetime
    messages: list[MessageView]


class QueriesView(BaseModel):
    provider_ref: str
    queries: list[QueryView]


class EmailSettingsView(BaseModel):
    email: str
    optional_emails: bool  # claims ready, rejected rows, remittances, query answers
    always: str = "Invitations and reminders to confirm always come."


WeekListView.model_rebuild()
