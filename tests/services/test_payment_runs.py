"""The payment-run service on DynamoDB and S3: a run fans out one task per provider, the last
provider's task finishes the run, and approval pays each line once."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from carepay.adapters.dynamodb.stores import PaymentStore
from carepay.domain.finance import BankDetails
from carepay.domain.weeks import LONDON
from carepay.ports.messages import ProviderTask, ScheduleFired
from carepay.services.payment_runs import PaymentRunService, run_key
from carepay.services.submissions import SubmissionService
from carepay.spreadsheets.bacs import Labels, read_payment_file
from tests.services.conftest import Council, Sent

WEDNESDAY = datetime(2026, 11, 18, 6, tzinfo=LONDON)


@pytest.fixture
def sent() -> Sent:
    return Sent()


@pytest.fixture
def runs(council: Council, payments_store: PaymentStore, sent: Sent) -> PaymentRunService:
    return PaymentRunService(
        payments_store, council.documents, sent, "provider-payments", "Example Council", None
    )


def deliver(runs: PaymentRunService, sent: Sent) -> list[str]:
    """Hand every queued task to the service, as the provider-payments queue would."""
    answers = []
    for task in sent.take():
        assert isinstance(task, ProviderTask)
        answers.append(runs.handle_task(task))
    return answers


def confirmed_claim(council: Council, submissions: SubmissionService) -> None:
    claim = b"SS Ref,Date,Weekly Actual Quantity,Comments\nSS1001,09/11/2026,4,Left early\n"
    submissions.handle(council.arrives("uploads/P001/claim.csv", claim))
    body = json.dumps({"week_commencing": "2026-11-09"}).encode()
    submissions.handle(council.arrives("confirmations/P001/confirm.json", body))


def test_the_schedule_starts_a_draft_that_the_last_providers_task_finishes(
    council: Council, submissions: SubmissionService, runs: PaymentRunService, sent: Sent
) -> None:
    confirmed_claim(council, submissions)
    outcome = runs.handle_schedule(ScheduleFired(scheduled_time=WEDNESDAY))
    assert outcome.outcome == "accepted" and outcome.run_id == "R20261118-0600"
    assert deliver(runs, sent) == ["done", "done", "done"]  # one task per provider
    draft = json.loads(council.outbound(run_key("R20261118-0600")))
    assert draft["status"] == "draft"
    [acme] = [p for p in draft["providers"] if p["provider_ref"] == "P001"]
    # L1001 4 h reported; L1002–L1010 5 h and L1012 3 h as planned, at £20 an hour; L1011 as
    # planned, 7.25 h at £18.38 (£133.255, to the nearest penny)
    assert acme["net_pence"] == 4 * 2000 + 9 * 5 * 2000 + 3 * 2000 + 13326


def test_a_second_run_is_refused_while_the_first_waits_for_approval(
    runs: PaymentRunService, sent: Sent
) -> None:
    runs.handle_schedule(ScheduleFired(scheduled_time=WEDNESDAY))
    deliver(runs, sent)
    refused = runs.handle_schedule(ScheduleFired(scheduled_time=WEDNESDAY.replace(day=25)))
    assert refused.refused and "R20261118-0600 is not approved yet" in (refused.message or "")


def test_approval_pays_each_line_week_once_and_remits_the_provider(
    council: Council,
    submissions: SubmissionService,
    runs: PaymentRunService,
    sent: Sent,
    payments_store: PaymentStore,
) -> None:
    confirmed_claim(council, submissions)
    runs.handle_schedule(ScheduleFired(scheduled_time=WEDNESDAY))
    deliver(runs, sent)
    runs.approve("R20261118-0600", "finance officer", WEDNESDAY.replace(hour=10))
    tasks = sent.messages[:]
    assert deliver(runs, sent) == ["done", "done", "done"]
    for task in tasks:  # the queue delivers every task again: nothing is paid twice
        assert isinstance(task, ProviderTask)
        assert runs.handle_task(task) == "stale"
    paid = payments_store.paid_ledger("P001", date(2026, 11, 9), date(2026, 11, 9))
    assert paid[("L1001", date(2026, 11, 9))].amount_pence == 4 * 2000
    assert json.loads(council.outbound(run_key("R20261118-0600")))["status"] == "approved"
    assert council.outbound("remittances/P001/R20261118-0600.csv")


@pytest.mark.parametrize(("service_user_number", "first_label"), [("654321", "VOL1"), ("", "UHL1")])
def test_approval_writes_the_payment_file_labelled_only_with_a_service_user_number(
    council: Council,
    submissions: SubmissionService,
    payments_store: PaymentStore,
    sent: Sent,
    service_user_number: str,
    first_label: str,
) -> None:
    runs = PaymentRunService(
        payments_store, council.documents, sent, "provider-payments", "Example Council",
        BankDetails("123456", "12345678", "Example Council"),
        service_user_number=service_user_number,
    )  # fmt: skip
    confirmed_claim(council, submissions)
    runs.handle_schedule(ScheduleFired(scheduled_time=WEDNESDAY))
    deliver(runs, sent)
    runs.approve("R20261118-0600", "finance officer", WEDNESDAY.replace(hour=10))
    deliver(runs, sent)
    content = council.outbound("finance/R20261118-0600/payment-file.txt")
    assert content.startswith(first_label.encode())
    labels = read_payment_file(content).labels
    if service_user_number:
        assert labels == Labels(service_user_number, "180600", date(2026, 11, 18))
    else:
        assert labels is None
