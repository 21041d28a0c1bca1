"""The emails carepay sends, through the deployed template: queued by the functions that know
something happened, sent by PortalTasksFunction through SES (read back from moto), each saying
what to do with a link to the portal, and none with a person's name."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import Message

import pytest

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.portal import PortalAccessTable
from carepay.adapters.dynamodb.table import Table
from carepay.domain.weeks import LONDON
from carepay_local.client import CarepayClient
from carepay_local.cloud import LocalCloud
from carepay_local.mail import sent_mail
from tests.e2e.conftest import SAMPLES, WEEK

MONDAY_AFTER = datetime(2026, 11, 16, 6, 0, tzinfo=LONDON)
PEOPLE = "Email,Provider Ref\njo@acme.example,P001\nsam@bradford.example,P002\n"


@pytest.fixture
def invited(cloud: LocalCloud, council: CarepayClient) -> CarepayClient:
    client("s3").put_object(
        Bucket=cloud.outputs["InboundBucketName"], Key="portal-users/people.csv", Body=PEOPLE
    )
    cloud.pump()
    return council


def mail_to(cloud: LocalCloud, address: str) -> list[Message]:
    return [m for m in sent_mail(cloud.account) if m["To"] == address]


def attachments(message: Message) -> list[str]:
    return [part.get_filename() or "" for part in message.walk() if part.get_filename()]


def body(message: Message) -> str:
    text = next(part for part in message.walk() if part.get_content_type() == "text/plain")
    return str(text.get_content()).replace("\r\n", "\n")  # type: ignore[attr-defined]


def test_on_monday_each_providers_people_get_their_claim_with_what_to_do(
    cloud: LocalCloud, invited: CarepayClient
) -> None:
    cloud.fire_schedule("WeeklyClaimWorkbooks", MONDAY_AFTER)
    (claim,) = mail_to(cloud, "jo@acme.example")
    assert (
        claim["Subject"]
        == "Example Council: your claim for w/c 09/11/2026 is ready (P001 Acme Home Care)"
    )
    assert claim["From"] == "Example Council <carepay@example-council.gov.uk>"
    assert attachments(claim) == [f"claim-w-c-{WEEK}.xlsx"]
    assert "confirm the week by 17:00 on Tuesday 17 November 2026" in body(claim)
    assert cloud.outputs["PortalUrl"] in body(claim)
    assert len(mail_to(cloud, "sam@bradford.example")) == 1  # P002's claim, to P002's person


def test_reminders_go_to_providers_with_the_week_unconfirmed_even_to_those_who_opted_out(
    cloud: LocalCloud, invited: CarepayClient
) -> None:
    invited.confirm("P002", WEEK, at=datetime(2026, 11, 16, 8, tzinfo=LONDON))
    opt_out("jo@acme.example", cloud)
    cloud.fire_schedule("WeeklyClaimWorkbooks", MONDAY_AFTER)
    cloud.fire_schedule("ConfirmationReminders", MONDAY_AFTER.replace(hour=9))
    cloud.fire_schedule("ConfirmationReminders", MONDAY_AFTER.replace(hour=9) + timedelta(days=1))
    subjects = [m["Subject"] for m in mail_to(cloud, "jo@acme.example")]
    assert subjects == [  # no claim-ready email: Jo opted out of it, not of reminders
        "Example Council: please confirm w/c 09/11/2026 by tomorrow (P001 Acme Home Care)",
        "Example Council: please confirm w/c 09/11/2026 today (P001 Acme Home Care)",
    ]
    assert [m["Subject"] for m in mail_to(cloud, "sam@bradford.example")] == [
        "Example Council: your claim for w/c 09/11/2026 is ready (P002 Bradford Day Services)"
    ]  # P002 confirmed: no reminder


def test_finance_gets_the_providers_unconfirmed_at_the_deadline(
    cloud: LocalCloud, invited: CarepayClient
) -> None:
    invited.confirm("P002", WEEK, at=datetime(2026, 11, 16, 8, tzinfo=LONDON))
    cloud.fire_schedule("UnconfirmedAtDeadline", datetime(2026, 11, 17, 17, 5, tzinfo=LONDON))
    (listed,) = mail_to(cloud, "finance@example-council.gov.uk")
    assert "- P001 Acme Home Care\n- P003" in body(listed)
    assert "P002" not in body(listed)


def test_rejected_rows_in_a_file_sent_outside_the_portal_are_emailed(
    cloud: LocalCloud, invited: CarepayClient
) -> None:
    claim = (SAMPLES / "P001-claim-w-c-2026-11-09.csv").read_bytes()
    invited.upload("P001", "claim.csv", claim, at=datetime(2026, 11, 16, 9, tzinfo=LONDON))
    (notice,) = mail_to(cloud, "jo@acme.example")
    assert (
        notice["Subject"]
        == "Example Council: 3 rows were rejected in a claim for P001 Acme Home Care"
    )
    assert "upload a corrected claim in the provider portal" in body(notice)


def test_the_remittance_is_emailed_once_the_run_is_approved(
    cloud: LocalCloud, invited: CarepayClient
) -> None:
    invited.confirm("P001", WEEK, at=datetime(2026, 11, 16, 8, tzinfo=LONDON))
    run = invited.pay(at=datetime(2026, 11, 18, 6, tzinfo=UTC))
    assert mail_to(cloud, "jo@acme.example") == []  # a draft pays nobody
    invited.approve(run["run_id"], "finance officer")
    (advice,) = mail_to(cloud, "jo@acme.example")
    assert attachments(advice) == [f"remittance-{run['run_id']}.xlsx"]
    assert "finance officer" not in advice.as_string()  # no person's name, ever


def test_a_provider_is_told_their_query_was_answered_but_not_by_whom(
    cloud: LocalCloud, invited: CarepayClient
) -> None:
    raised = invited.queries().raise_query(
        "P001", "jo@acme.example", "Payment query", f"w/c {WEEK}", "Why?", MONDAY_AFTER
    )
    invited.answer_query(raised.query_id, "J Smith", "Because.", MONDAY_AFTER)
    (told,) = mail_to(cloud, "jo@acme.example")
    assert (
        told["Subject"]
        == f"Example Council: your query {raised.query_id} was answered (P001 Acme Home Care)"
    )
    assert "J Smith" not in told.as_string() and "Because." not in told.as_string()


def test_accounts_unused_for_90_days_are_locked_daily_and_the_council_unlocks_them(
    cloud: LocalCloud, invited: CarepayClient
) -> None:
    pool = cloud.outputs["PortalUserPoolId"]
    invited_on = datetime.now(UTC).date()
    portal_people(cloud).seen("sam@bradford.example", invited_on + timedelta(days=30))
    cloud.fire_schedule("UnusedAccountsLock", _at(invited_on + timedelta(days=89)))
    assert enabled(pool, "jo@acme.example") and enabled(pool, "sam@bradford.example")
    cloud.fire_schedule("UnusedAccountsLock", _at(invited_on + timedelta(days=90)))
    assert not enabled(pool, "jo@acme.example")  # invited, never seen since
    assert enabled(pool, "sam@bradford.example")  # seen on day 30: 60 days ago
    invited.unlock_portal_user("jo@acme.example", on=invited_on + timedelta(days=90))
    assert enabled(pool, "jo@acme.example")
    cloud.fire_schedule("UnusedAccountsLock", _at(invited_on + timedelta(days=91)))
    assert enabled(pool, "jo@acme.example")  # unlocking counts as seen


def test_someone_locked_then_removed_and_given_access_again_is_back_in_whole(
    cloud: LocalCloud, invited: CarepayClient
) -> None:
    pool, people = cloud.outputs["PortalUserPoolId"], portal_people(cloud)
    cloud.fire_schedule("UnusedAccountsLock", _at(datetime.now(UTC).date() + timedelta(days=95)))
    assert not enabled(pool, "jo@acme.example")
    for name, status in (("removed", "Removed"), ("back", "")):
        body = f"Email,Provider Ref,Status\njo@acme.example,P001,{status}\n"
        client("s3").put_object(
            Bucket=cloud.outputs["InboundBucketName"], Key=f"portal-users/{name}.csv", Body=body
        )
        cloud.pump()
    person = people.person("jo@acme.example")
    assert enabled(pool, "jo@acme.example") and person is not None and person.enabled


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 30, tzinfo=LONDON)


def enabled(pool: str, email: str) -> bool:
    return bool(client("cognito-idp").admin_get_user(UserPoolId=pool, Username=email)["Enabled"])


def portal_people(cloud: LocalCloud) -> PortalAccessTable:
    return PortalAccessTable(Table(cloud.outputs["DataTableName"]))


def opt_out(email: str, cloud: LocalCloud) -> None:
    portal_people(cloud).set_optional_emails(email, False)
