"""The data table's key design, as functions: every key carepay reads or writes is made here.

The table of keys is written beside the table in template.yaml (DataTable), and
tests/adapters/test_key_design.py checks each row of it against these functions. Sort keys sort
as the reads need: a line-week's reports oldest first, a provider's runs by their id.
"""

from __future__ import annotations

import secrets
from datetime import UTC, date, datetime, timedelta

HIGH = "~"  # sorts after every character used in keys
LONGEST_INVOCATION = timedelta(minutes=15)  # Lambda's limit: no attempt outlives it

PROVIDERS = "PROVIDERS"  # one partition listing every provider, so none is found by a scan
RUNS = "RUNS"  # one partition: every run, and the single open (unapproved) run's slot
SHEETS = "SHEETS"  # one partition: every linked sheet, so the poller finds them without a scan
USERS = "USERS"  # one partition: every person invited to the portal, by email
QUERIES = "QUERIES"  # one partition: every provider's queries, for the council's list
FLAGS = "FLAGS"  # one partition: every care-monitoring flag raised, by week
PROFILE = "PROFILE"
STATE = "STATE"
CHANGES = "CHANGES"  # where a provider's history can still change (payment_run.OpenWeeks)
OPEN_RUN = "OPEN"
SHEET = "SHEET"
SUMMARY = "SUMMARY"


def provider_key(provider_ref: str) -> str:
    return f"PROVIDER#{provider_ref}"


def history_key(provider_ref: str) -> str:
    """Where a provider's superseded reports are kept: read by no check and no run."""
    return f"HISTORY#{provider_ref}"


def provider_of(key: str) -> str:
    return key.removeprefix("PROVIDER#")


def line_key(line_ref: str, start: date) -> str:
    return f"LINE#{line_ref}#{start}"


def non_payment_key(year: int) -> str:
    """A day-care provider's nominated non-payment weeks of one financial year."""
    return f"NONPAY#{year}"


def actuals_key(week: date, line_ref: str, submitted_at: datetime | None, attempt: str) -> str:
    """Latest report last; of one report, the latest commit last (`attempt` leads with it)."""
    stamp = _compact(submitted_at) if submitted_at else "0"
    return f"ACTUAL#{week}#{line_ref}#{stamp}#{attempt}"


def upload_key(upload_id: str) -> str:
    return f"UPLOAD#{upload_id}"


def paid_key(week: date, line_ref: str) -> str:
    return f"PAID#{week}#{line_ref}"


def confirmed_weeks_key(year: int) -> str:
    """Of a financial year, the weeks the portal found confirmed (portal_weeks.ConfirmedWeeks)."""
    return f"CONFIRMED#{year}"


def payrun_key(run_id: str) -> str:
    return f"PAYRUN#{run_id}"


def extra_approval_key(line_ref: str, week: date) -> str:
    return f"APPROVAL#EXTRA#{line_ref}#{week}"


def frustrated_approval_key(line_ref: str, up_to: date) -> str:
    return f"APPROVAL#FRUSTRATED#{line_ref}#{up_to}"


def run_key(run_id: str) -> str:
    return f"RUN#{run_id}"


def sheet_key(spreadsheet_id: str) -> str:
    return f"SHEET#{spreadsheet_id}"


def import_key(import_id: str) -> str:
    return f"IMPORT#{import_id}"


def import_line_key(provider_ref: str, line_ref: str, start: date) -> str:
    return f"LINE#{provider_ref}#{line_ref}#{start}"


def portal_user_key(sub: str) -> str:
    """A portal user's partition, by the `sub` of their sign-in token."""
    return f"PORTAL#{sub}"


def user_key(email: str) -> str:
    return f"USER#{email}"


def flag_key(week: date, provider_ref: str, line_ref: str, code: str) -> str:
    """A care-monitoring flag, by the week that raised it: one per episode."""
    return f"FLAG#{week}#{provider_ref}#{line_ref}#{code}"


def query_key(query_id: str) -> str:
    return f"QUERY#{query_id}"


def audit_key(at: datetime) -> str:
    """A portal action on a provider, in time order (a random tail keeps two in one instant)."""
    return f"AUDIT#{_compact(at)}#{secrets.token_hex(4)}"


def nonce_key(nonce: str) -> str:
    """A sheet notice's nonce, in the idempotency table (key `id`)."""
    return f"sheet-notice#{nonce}"


def every(prefix: str) -> tuple[str, str]:
    """The sort-key range of every item whose key starts with `prefix`."""
    return prefix, prefix + HIGH


def weeks(prefix: str, first: date, last: date) -> tuple[str, str]:
    """The sort-key range of `prefix`'s items of the weeks `first`…`last`."""
    return f"{prefix}{first}", f"{prefix}{last}#{HIGH}"


def attempt_id(version: int, upload_id: str, started: datetime) -> str:
    """A processing attempt: the version it must commit as, when it started, whose it is."""
    return f"{version:010d}#{started:%Y%m%dT%H%M%SZ}#{upload_id}.{secrets.token_hex(4)}"


def upload_of(attempt: str) -> str:
    """The upload an attempt (attempt_id) processes."""
    return attempt.split("#", 2)[-1].rpartition(".")[0]


def attempt_is_over(attempt: str, version: int, now: datetime) -> bool:
    """Whether an uncommitted attempt can no longer commit: the version it needed is taken, or
    it started longer ago than any invocation runs (Lambda stops one after 15 minutes)."""
    needed, _, rest = attempt.partition("#")
    started = rest.partition("#")[0]
    if needed.isdigit() and int(needed) <= version:
        return True
    try:
        began = datetime.strptime(started, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return False
    return now - began > LONGEST_INVOCATION


def _compact(moment: datetime) -> str:
    """A sortable UTC timestamp: the latest submission of a line-week sorts last."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
