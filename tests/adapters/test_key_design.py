"""The keys carepay writes are the ones template.yaml documents beside the table, row for row."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from carepay.adapters.dynamodb import keys

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
WEEK, START = date(2026, 11, 9), date(2026, 4, 6)
AT = datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
ATTEMPT = keys.attempt_id(3, "upload-1", AT)

# Each row of the template's table, as the key functions make it for example values.
WRITTEN = {
    ("PROVIDERS", "PROVIDER#{provider}"): (keys.PROVIDERS, keys.provider_key("P001")),
    ("PROVIDER#{provider}", "PROFILE"): (keys.provider_key("P001"), keys.PROFILE),
    ("PROVIDER#{provider}", "STATE"): (keys.provider_key("P001"), keys.STATE),
    ("PROVIDER#{provider}", "CHANGES"): (keys.provider_key("P001"), keys.CHANGES),
    ("PROVIDER#{provider}", "LINE#{line}#{start date}"): (
        keys.provider_key("P001"),
        keys.line_key("L1001", START),
    ),
    ("FLAGS", "FLAG#{week}#{provider}#{line}#{code}"): (
        keys.FLAGS,
        keys.flag_key(WEEK, "P001", "L1001", "F1"),
    ),
    ("PROVIDER#{provider}", "NONPAY#{financial year}"): (
        keys.provider_key("P001"),
        keys.non_payment_key(2026),
    ),
    ("PROVIDER#{provider}", "ACTUAL#{week}#{line}#{uploaded at}#{attempt}"): (
        keys.provider_key("P001"),
        keys.actuals_key(WEEK, "L1001", AT, ATTEMPT),
    ),
    ("HISTORY#{provider}", "ACTUAL#{week}#{line}#{uploaded at}#{attempt}"): (
        keys.history_key("P001"),
        keys.actuals_key(WEEK, "L1001", AT, ATTEMPT),
    ),
    ("PROVIDER#{provider}", "UPLOAD#{upload}"): (
        keys.provider_key("P001"),
        keys.upload_key("upload-1"),
    ),
    ("PROVIDER#{provider}", "PAID#{week}#{line}"): (
        keys.provider_key("P001"),
        keys.paid_key(WEEK, "L1001"),
    ),
    ("PROVIDER#{provider}", "CONFIRMED#{financial year}"): (
        keys.provider_key("P001"),
        keys.confirmed_weeks_key(2026),
    ),
    ("PROVIDER#{provider}", "PAYRUN#{run}"): (
        keys.provider_key("P001"),
        keys.payrun_key("R20261118-0600"),
    ),
    ("PROVIDER#{provider}", "APPROVAL#..."): (
        keys.provider_key("P001"),
        keys.extra_approval_key("L1001", WEEK),
    ),
    ("RUNS", "RUN#{run}"): (keys.RUNS, keys.run_key("R20261118-0600")),
    ("RUNS", "OPEN"): (keys.RUNS, keys.OPEN_RUN),
    ("PROVIDER#{provider}", "SHEET"): (keys.provider_key("P001"), keys.SHEET),
    ("SHEETS", "SHEET#{spreadsheet}"): (keys.SHEETS, keys.sheet_key("1AbC")),
    ("IMPORT#{import}", "LINE#{provider}#{line}#{start date}"): (
        keys.import_key("import-1"),
        keys.import_line_key("P001", "L1001", START),
    ),
    ("IMPORT#{import}", "SUMMARY"): (keys.import_key("import-1"), keys.SUMMARY),
    ("PORTAL#{sub}", "PROVIDER#{provider}"): (
        keys.portal_user_key("0f3c-sub"),
        keys.provider_key("P001"),
    ),
    ("PROVIDER#{provider}", "USER#{email}"): (
        keys.provider_key("P001"),
        keys.user_key("jo@acme.example"),
    ),
    ("USERS", "USER#{email}"): (keys.USERS, keys.user_key("jo@acme.example")),
    ("PROVIDER#{provider}", "QUERY#{query}"): (keys.provider_key("P001"), keys.query_key("Q1")),
    ("QUERIES", "QUERY#{query}"): (keys.QUERIES, keys.query_key("Q1")),
    ("PROVIDER#{provider}", "AUDIT#{at}#{random}"): (
        keys.provider_key("P001"),
        keys.audit_key(AT),
    ),
}


def documented_keys() -> list[tuple[str, str]]:
    """The (PK, SK) rows of the comment above DataTable in template.yaml."""
    key = r"((?:\{[^}]*\}|[^\s{])+)"  # a placeholder may hold a space: {start date}
    rows = re.findall(rf"^\s*#\s+PK {key}\s+SK {key}", TEMPLATE.read_text(), re.MULTILINE)
    assert len(rows) >= 10  # the table was found
    return rows


def as_pattern(documented: str) -> re.Pattern[str]:
    """`{name}` stands for any value (an attempt id has '#' in it); `...` for the rest."""
    parts = re.split(r"(\{[^}]+\}|\.\.\.)", documented)
    return re.compile("".join(".+" if p.startswith(("{", "...")) else re.escape(p) for p in parts))


def test_every_documented_key_is_one_carepay_makes_and_no_other() -> None:
    assert sorted(documented_keys()) == sorted(WRITTEN)


def test_each_key_function_makes_the_key_the_template_documents() -> None:
    for (pk, sk), (made_pk, made_sk) in WRITTEN.items():
        assert as_pattern(pk).fullmatch(made_pk), (pk, made_pk)
        assert as_pattern(sk).fullmatch(made_sk), (sk, made_sk)


def test_a_line_weeks_reports_sort_oldest_first_and_of_one_report_the_latest_commit_last() -> None:
    earlier = keys.actuals_key(WEEK, "L1001", AT, keys.attempt_id(9, "u1", AT))
    later = keys.actuals_key(WEEK, "L1001", AT.replace(minute=31), keys.attempt_id(2, "u2", AT))
    recommitted = keys.actuals_key(WEEK, "L1001", AT, keys.attempt_id(10, "u3", AT))
    assert sorted([later, recommitted, earlier]) == [earlier, recommitted, later]
    low, high = keys.weeks("ACTUAL#", WEEK, WEEK)
    assert all(low <= key <= high for key in (earlier, later, recommitted))
    assert not low <= keys.actuals_key(date(2026, 11, 16), "L1001", AT, ATTEMPT) <= high


def test_an_attempt_is_over_once_its_version_is_taken_or_it_is_older_than_any_invocation() -> None:
    attempt = keys.attempt_id(5, "upload-1", AT)
    assert not keys.attempt_is_over(attempt, 4, AT.replace(minute=44))
    assert keys.attempt_is_over(attempt, 5, AT)  # another commit took version 5
    assert keys.attempt_is_over(attempt, 4, AT.replace(minute=46))  # 16 minutes on
