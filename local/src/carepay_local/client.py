"""Talking to a deployed carepay stack the way a council or provider would: drop files, read results.

Resources are found from the stack's outputs, so the same client works against the local
stack (AWS_ENDPOINT_URL) and a real deployment.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

from botocore.exceptions import ClientError

from carepay.adapters.aws import client
from carepay.adapters.cognito import CognitoDirectory
from carepay.adapters.dynamodb.flags import FlagsTable
from carepay.adapters.dynamodb.portal import PortalAccessTable
from carepay.adapters.dynamodb.queries import QueryTable
from carepay.adapters.dynamodb.stores import PaymentStore
from carepay.adapters.dynamodb.table import Table
from carepay.adapters.queues import SqsMessages
from carepay.domain.flags import RaisedFlag
from carepay.domain.portal_weeks import YearProgress, year_progress
from carepay.domain.queries import Query
from carepay.domain.weeks import weeks_of_year
from carepay.ports.messages import PortalTask
from carepay.services.care_packages import approvals_report_key, import_report_key
from carepay.services.claim_workbooks import claim_workbook_key, preview_key, register_csv_key
from carepay.services.non_payment_weeks import non_payment_weeks_report_key
from carepay.services.notices import SIMULATED_TIME_METADATA
from carepay.services.payment_runs import (
    finance_key,
    remittance_key,
    request_result_key,
    run_key,
)
from carepay.services.portal_users import portal_users_report_key
from carepay.services.queries import QueryService
from carepay.services.sheets import request_result_key as sheets_request_result_key
from carepay.services.submissions import feedback_keys_for

DEFAULT_TIMEOUT_SECONDS = 120.0
# With an embedded pump: this many polls with nothing left to deliver and no result means failure.
IDLE_POLLS_BEFORE_GIVING_UP = 20
DEAD_LETTER_CHECK_SECONDS = 2.0
# Where a message that keeps failing ends, by the prefix of the file that started it.
DEAD_LETTER_QUEUES = {
    "uploads": "SubmissionsDeadLetterQueueUrl",
    "confirmations": "SubmissionsDeadLetterQueueUrl",
    "care-packages": "CarePackagesDeadLetterQueueUrl",
    "approvals": "CarePackagesDeadLetterQueueUrl",
    "portal-users": "CarePackagesDeadLetterQueueUrl",
    "workbook-requests": "WorkbookRequestsDeadLetterQueueUrl",
    "payment-runs": "PaymentRunRequestsDeadLetterQueueUrl",
}


class RegisterRefused(ValueError):
    """No register exists for the provider and week asked for."""


class RunRequestRefused(RuntimeError):
    """The run request was refused; the message says why and what to do instead."""


class PortalRequestRefused(RuntimeError):
    """A portal request the council cannot make as asked; the message says what to do."""


class NotProcessed(TimeoutError):
    """The stack did not answer in time: is `carepay serve` running, or the stack deployed?"""


@dataclass
class Sent:
    bucket: str
    key: str  # unique for every send: the result that names it is this send's result


class CarepayClient:
    def __init__(
        self,
        stack_name: str = "carepay",
        pump: Callable[[], int] | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        stacks = client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
        self.outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
        self.parameters = {
            p["ParameterKey"]: p.get("ParameterValue", "") for p in stacks[0].get("Parameters", [])
        }
        self.inbound = self.outputs["InboundBucketName"]
        self.outbound = self.outputs["OutboundBucketName"]
        self.pump = pump
        self.timeout_seconds = timeout_seconds

    # -- sending -------------------------------------------------------------------------------
    def _put(self, key: str, body: bytes, at: datetime | None) -> Sent:
        metadata = {SIMULATED_TIME_METADATA: at.isoformat()} if at else {}
        response = client("s3").put_object(
            Bucket=self.inbound, Key=key, Body=body, Metadata=metadata
        )
        del response
        return Sent(self.inbound, key)

    def import_care_packages(self, path: Path, at: datetime | None = None) -> dict[str, Any]:
        sent = self._put(f"care-packages/{_stamp()}-{path.name}", path.read_bytes(), at)
        return self._wait_for_json(import_report_key(sent.key), sent)

    def upload(
        self, provider_ref: str, name: str, content: bytes, at: datetime | None = None
    ) -> dict[str, Any]:
        sent = self._put(f"uploads/{provider_ref}/{_stamp()}-{name}", content, at)
        return self._wait_for_json(feedback_keys_for(sent.key)[0], sent)

    def confirm(self, provider_ref: str, week: date, at: datetime | None = None) -> dict[str, Any]:
        body = json.dumps({"week_commencing": week.isoformat(), "requested_by": "carepay confirm"})
        sent = self._put(
            f"confirmations/{provider_ref}/{_stamp()}-week-{week}.json", body.encode(), at
        )
        return self._wait_for_json(feedback_keys_for(sent.key)[0], sent)

    def claim_workbook(
        self, provider_ref: str, week: date, at: datetime | None = None
    ) -> tuple[bytes, bytes]:
        """Ask for a provider's claim workbook for a week; returns (xlsx, csv) once written."""
        body = json.dumps({"week_commencing": week.isoformat()})
        sent = self._put(
            f"workbook-requests/{provider_ref}/{_stamp()}-w-c-{week}.json", body.encode(), at
        )
        receipt = self._wait_for_json(claim_workbook_key(provider_ref, week, "json"), sent)
        # A day centre with only Day Care lines has a register CSV and no claim CSV.
        claim_csv = self._bytes_if_present(claim_workbook_key(provider_ref, week, "csv"))
        return self.read_outbound(receipt["key"]), claim_csv or b""

    def register(
        self, provider_ref: str, week: date, at: datetime | None = None
    ) -> tuple[bytes, bytes]:
        """A day centre's register for a week, as submitted (or as planned, if it was not):
        the week's workbook and the register's CSV; RegisterRefused if it has none."""
        workbook, _ = self.claim_workbook(provider_ref, week, at)
        register_csv = self._bytes_if_present(register_csv_key(provider_ref, week))
        if register_csv is None:
            raise RegisterRefused(
                f"{provider_ref} has no day-care register for the week commencing "
                f"{week:%d/%m/%Y}: no Day Care line covers it, or it is a non-payment week."
            )
        return workbook, register_csv

    def _bytes_if_present(self, key: str) -> bytes | None:
        try:
            return self.read_outbound(key)
        except client("s3").exceptions.NoSuchKey:
            return None

    def import_approvals(self, path: Path, at: datetime | None = None) -> dict[str, Any]:
        sent = self._put(f"approvals/{_stamp()}-{path.name}", path.read_bytes(), at)
        return self._wait_for_json(approvals_report_key(sent.key), sent)

    def import_non_payment_weeks(self, path: Path, at: datetime | None = None) -> dict[str, Any]:
        sent = self._put(f"non-payment-weeks/{_stamp()}-{path.name}", path.read_bytes(), at)
        return self._wait_for_json(non_payment_weeks_report_key(sent.key), sent)

    def flags(self, since: date) -> list[RaisedFlag]:
        """The care-monitoring flags raised for weeks from `since` on."""
        return FlagsTable(Table(self.outputs["DataTableName"])).flags(since)

    # -- the provider portal ---------------------------------------------------------------------
    def import_portal_users(self, path: Path, at: datetime | None = None) -> dict[str, Any]:
        sent = self._put(f"portal-users/{_stamp()}-{path.name}", path.read_bytes(), at)
        return self._wait_for_json(portal_users_report_key(sent.key), sent)

    def unlock_portal_user(self, email: str, on: date | None = None) -> None:
        """Let a person sign in again after their account was disabled (unused for 90 days):
        refused for someone the council has given no provider, or never invited."""
        address = email.strip().lower()
        access = PortalAccessTable(Table(self.outputs["DataTableName"]))
        if not access.providers_of_email(address):
            raise PortalRequestRefused(
                f"{address} may act for no provider: give them one in a portal-users file "
                "(carepay portal import FILE) rather than unlocking the account."
            )
        CognitoDirectory(self.outputs["PortalUserPoolId"]).enable(address)
        access.unlocked(address, on or datetime.now(UTC).date())

    # -- queries (Report an error, Payment query) --------------------------------------------------
    def queries(self) -> QueryService:
        """The council's side of providers' queries: list, show, answer, resolve."""
        return QueryService(QueryTable(Table(self.outputs["DataTableName"])))

    def answer_query(self, query_id: str, by: str, text: str, at: datetime) -> Query:
        """Answer, and queue the email that tells the provider's people."""
        answered = self.queries().answer(query_id, by, text, at)
        told = PortalTask(task="query answered", query_id=query_id)
        SqsMessages().send_all(self.outputs["PortalTasksQueueUrl"], [told])
        if self.pump:
            self.pump()
        return answered

    # -- payment runs ----------------------------------------------------------------------------
    def pay(self, at: datetime | None = None, requested_by: str = "carepay pay") -> dict[str, Any]:
        """Start a payment run and wait for its draft; raises RunRequestRefused if refused."""
        return self._run_request({"action": "start", "requested_by": requested_by}, at)

    def recalculate(self, run_id: str, requested_by: str = "carepay runs") -> dict[str, Any]:
        return self._run_request(
            {"action": "recalculate", "run_id": run_id, "requested_by": requested_by}, None
        )

    def mark_paid(self, run_id: str, by: str, at: datetime | None = None) -> dict[str, Any]:
        """The bank confirmed an approved run's payment: the run is paid."""
        return self._run_request({"action": "paid", "run_id": run_id, "requested_by": by}, at)

    def approve(self, run_id: str, approved_by: str, at: datetime | None = None) -> dict[str, Any]:
        return self._run_request(
            {"action": "approve", "run_id": run_id, "requested_by": approved_by}, at
        )

    def run(self, run_id: str) -> dict[str, Any]:
        found = self._json_if_present(run_key(run_id))
        if found is None:
            raise RunRequestRefused(f"There is no run {run_id}.")
        return found

    def runs(self) -> list[dict[str, Any]]:
        pages = (
            client("s3")
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.outbound, Prefix="runs/R", Delimiter="/")
        )
        run_ids = [
            prefix["Prefix"].removeprefix("runs/").rstrip("/")
            for page in pages
            for prefix in page.get("CommonPrefixes", [])
        ]
        return [self.run(run_id) for run_id in sorted(run_ids)]

    def remittance(self, provider_ref: str, run_id: str) -> tuple[bytes, bytes] | None:
        """A provider's remittance (xlsx, CSV) for an approved run, or None if it has none."""
        s3 = client("s3")
        try:
            return (
                self.read_outbound(remittance_key(provider_ref, run_id, "xlsx")),
                self.read_outbound(remittance_key(provider_ref, run_id, "csv")),
            )
        except s3.exceptions.NoSuchKey:
            return None

    def finance_files(self, run_id: str) -> dict[str, bytes]:
        """Every file under finance/{run}/, by name."""
        pages = (
            client("s3")
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.outbound, Prefix=finance_key(run_id, ""))
        )
        keys = [item["Key"] for page in pages for item in page.get("Contents", [])]
        return {key.rsplit("/", 1)[1]: self.read_outbound(key) for key in keys}

    def _run_request(self, request: dict[str, str], at: datetime | None) -> dict[str, Any]:
        sent = self._put(
            f"payment-runs/{_stamp()}-{request['action']}.json", json.dumps(request).encode(), at
        )
        outcome = self._wait_for_json(request_result_key(sent.key), sent)
        if outcome["outcome"] != "accepted":
            raise RunRequestRefused(outcome["message"])
        wanted = {"approve": "approved", "paid": "paid"}.get(request["action"], "draft")
        return self._wait_for_run(outcome["run_id"], wanted, int(outcome["generation"]))

    def _wait_for_run(self, run_id: str, status: str, generation: int) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout_seconds
        idle_polls = 0
        while True:
            delivered = self.pump() if self.pump is not None else None
            run = self._json_if_present(run_key(run_id))
            if run and run["status"] == status and run["generation"] == generation:
                return run
            idle_polls = idle_polls + 1 if delivered == 0 else 0
            if idle_polls > IDLE_POLLS_BEFORE_GIVING_UP or time.monotonic() > deadline:
                raise NotProcessed(
                    f"Run {run_id} did not become {status}: a provider's part may be on the "
                    "dead-letter queue (ProviderPaymentsDeadLetterQueueUrl); the function's log "
                    "says why."
                )
            time.sleep(0.05 if self.pump is not None else 0.5)

    def preview(self, provider_ref: str, week: date, at: datetime | None = None) -> dict[str, Any]:
        """What the provider would be paid for the week if they confirmed it now (or at `at`)."""
        body = json.dumps({"week_commencing": week.isoformat(), "preview": True})
        sent = self._put(
            f"workbook-requests/{provider_ref}/{_stamp()}-preview-w-c-{week}.json",
            body.encode(),
            at,
        )
        return self._wait_for_json(preview_key(provider_ref, week), sent)

    def progress(self, provider_ref: str, year: int, at: datetime | None = None) -> YearProgress:
        """A provider's weeks of a financial year, as the portal's bar counts them: confirmed,
        in progress, late, still to come (from the stack's FirstCarepayWeek, when it has one)."""
        store = PaymentStore(self.outputs["DataTableName"])
        weeks = weeks_of_year(year)
        stored = store.stored_line_weeks(provider_ref, weeks[0], weeks[-1])
        first = self.parameters.get("FirstCarepayWeek") or None
        return year_progress(
            store.provider_plan(provider_ref),
            year,
            stored,
            at or datetime.now(UTC),
            date.fromisoformat(first) if first else None,
        )

    # -- Google Sheets ---------------------------------------------------------------------------
    def link_sheet(self, provider_ref: str, spreadsheet_id: str) -> dict[str, Any]:
        return self._sheets_request(
            provider_ref, {"action": "link", "spreadsheet_id": spreadsheet_id}
        )

    def prepare_sheet(self, provider_ref: str, week: date) -> dict[str, Any]:
        return self._sheets_request(
            provider_ref, {"action": "prepare", "week_commencing": week.isoformat()}
        )

    def _sheets_request(self, provider_ref: str, request: dict[str, str]) -> dict[str, Any]:
        body = json.dumps({**request, "provider_ref": provider_ref}).encode()
        sent = self._put(
            f"sheets-requests/{provider_ref}/{_stamp()}-{request['action']}.json", body, None
        )
        return self._wait_for_json(sheets_request_result_key(sent.key), sent)

    def feedback_workbook(self, feedback: dict[str, Any]) -> bytes:
        return self.read_outbound(feedback_keys_for(str(feedback["source_key"]))[1])

    # -- reading -------------------------------------------------------------------------------
    def read_outbound(self, key: str) -> bytes:
        return client("s3").get_object(Bucket=self.outbound, Key=key)["Body"].read()

    def _wait_for_json(self, key: str, sent: Sent) -> dict[str, Any]:
        """Poll for the result of this very arrival (an earlier result at the same key is ignored)."""
        deadline = time.monotonic() + self.timeout_seconds
        idle_polls = 0
        next_dead_letter_check = time.monotonic() + DEAD_LETTER_CHECK_SECONDS
        while True:
            delivered = self.pump() if self.pump is not None else None
            result = self._json_if_present(key)
            if result is not None and result.get("source_key") == sent.key:
                return result
            idle_polls = idle_polls + 1 if delivered == 0 else 0
            if idle_polls > IDLE_POLLS_BEFORE_GIVING_UP:
                raise NotProcessed(
                    f"{sent.key} was delivered but produced no result: its processing failed "
                    "and the message is on the dead-letter queue (the function's log says why)."
                )
            if self.pump is None and time.monotonic() > next_dead_letter_check:
                next_dead_letter_check = time.monotonic() + DEAD_LETTER_CHECK_SECONDS
                if self._dead_lettered(sent):
                    raise NotProcessed(
                        f"{sent.key} could not be processed and is on the dead-letter queue "
                        "(the function's log, or `carepay serve`, says why)."
                    )
            if time.monotonic() > deadline:
                raise NotProcessed(
                    f"No result for {sent.key} after {self.timeout_seconds:.0f} s: check that "
                    "`carepay serve` is running (or the stack is deployed) and that the "
                    "dead-letter queue is empty."
                )
            time.sleep(0.05 if self.pump is not None else 0.5)

    def _dead_lettered(self, sent: Sent) -> bool:
        """Whether the message for this arrival is on its queue's dead-letter queue (peeked:
        it stays there for whoever redrives it). False when that cannot be read."""
        output = DEAD_LETTER_QUEUES.get(sent.key.split("/", 1)[0])
        if output is None or output not in self.outputs:
            return False
        sqs = client("sqs")
        try:
            messages = sqs.receive_message(
                QueueUrl=self.outputs[output], MaxNumberOfMessages=10, VisibilityTimeout=0
            ).get("Messages", [])
        except ClientError:
            return False  # not allowed to look: wait for the timeout instead
        # S3's events name keys URL-encoded (moto encodes the slashes too, AWS does not)
        names = {sent.key, quote_plus(sent.key, safe="/"), quote_plus(sent.key, safe="")}
        return any(name in m["Body"] for m in messages for name in names)

    def _json_if_present(self, key: str) -> dict[str, Any] | None:
        s3 = client("s3")
        try:
            body = s3.get_object(Bucket=self.outbound, Key=key)["Body"].read()
        except s3.exceptions.NoSuchKey:
            return None
        loaded: dict[str, Any] = json.loads(body)
        return loaded


def _stamp() -> str:
    """Each send gets its own key, so two uploads of a file named alike never share feedback."""
    return f"{datetime.now().astimezone():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"
