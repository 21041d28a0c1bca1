"""The DynamoDB single table (keys documented beside it in template.yaml).

Items are written as low-level attribute maps: boto3's resource-layer serialisation costs more
CPU per item than the whole validation of a row.

An upload's actuals are written in batches of 25 under the id of this processing attempt, and
become visible together through one commit: a transaction that writes the upload's marker (naming
the attempt) and advances the provider's state version read before validating. So:
  - a crash between batches leaves nothing visible, and a retry's attempt never adopts the
    crashed attempt's items;
  - two submissions of one provider processed at once cannot both commit decisions made on the
    same state: the second is refused (ConcurrentChange) and is checked again on the new state.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, cast

from carepay.adapters.aws import client
from carepay.domain.actuals import LineWeekActuals, RejectedReport, StoredLineWeek
from carepay.domain.approvals import Approvals, ExtraApproval, FrustratedApproval
from carepay.domain.finance import BankDetails
from carepay.domain.findings import Finding, Severity
from carepay.domain.payment_run import LineStatus, PaidBefore, RunLine
from carepay.domain.runs import PaymentRun, RunRefused, RunStatus
from carepay.domain.service_lines import ProviderPlan, ServiceLineVersion, ServiceType, Unit
from carepay.ports.errors import AlreadyCommitted, ConcurrentChange
from carepay.ports.sheets import SheetLink

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import (
        AttributeValueTypeDef,
        TransactWriteItemTypeDef,
        WriteRequestTypeDef,
    )

Item = dict[str, "AttributeValueTypeDef"]
BATCH_SIZE = 25
HIGH = "~"  # sorts after every character used in keys
PROVIDERS = "PROVIDERS"  # one partition listing every provider, so none is found by a scan
LONGEST_INVOCATION = timedelta(minutes=15)  # Lambda's limit: no attempt outlives it


class StoreError(RuntimeError):
    """Storage failed; the message is retried from the queue and nothing half-written is visible."""


def provider_key(provider_ref: str) -> str:
    return f"PROVIDER#{provider_ref}"


def _s(value: str) -> AttributeValueTypeDef:
    return {"S": value}


def _n(value: int | Decimal) -> AttributeValueTypeDef:
    return {"N": str(value)}


def _compact(moment: datetime) -> str:
    """A sortable UTC timestamp for sort keys: the latest submission of a line-week sorts last."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")


class DynamoStore:
    """Service lines, actuals, uploads and approvals of providers, in one table."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name
        # Items of uncommitted attempts the last read of a provider's line-weeks passed over.
        self._uncommitted_seen: dict[str, list[Item]] = {}

    # -- reading -------------------------------------------------------------------------------
    def _query(self, pk: str, low: str, high: str, projection: str | None = None) -> Iterator[Item]:
        request: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "PK = :pk AND SK BETWEEN :low AND :high",
            "ExpressionAttributeValues": {":pk": _s(pk), ":low": _s(low), ":high": _s(high)},
            # Decisions are made on what these reads return and committed only if the version
            # read before them is unchanged: an eventually consistent read could miss a commit
            # made just before that version was read.
            "ConsistentRead": True,
        }
        if projection:
            request["ProjectionExpression"] = projection
        paginator = client("dynamodb").get_paginator("query")
        for page in paginator.paginate(**request):
            yield from page.get("Items", [])

    def provider_plan(self, provider_ref: str) -> ProviderPlan:
        versions = [
            _version_from_item(provider_ref, item)
            for item in self._query(provider_key(provider_ref), "LINE#", "LINE#" + HIGH)
        ]
        return ProviderPlan(provider_ref, versions)

    def providers(self) -> list[str]:
        """Every provider a care-package import has named."""
        return [
            item["SK"]["S"].removeprefix("PROVIDER#")
            for item in self._query(PROVIDERS, "PROVIDER#", "PROVIDER#" + HIGH, "SK")
        ]

    def committed_attempts(self, provider_ref: str) -> set[str]:
        """The processing attempts whose actuals are visible: one per committed upload."""
        return {
            item["attempt"]["S"]
            for item in self._query(
                provider_key(provider_ref), "UPLOAD#", "UPLOAD#" + HIGH, "attempt"
            )
            if "attempt" in item
        }

    def provider_version(self, provider_ref: str) -> int:
        """The provider's state version: every commit that changes actuals or locks advances it."""
        response = client("dynamodb").get_item(
            TableName=self.table_name,
            Key={"PK": _s(provider_key(provider_ref)), "SK": _s("STATE")},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return int(item["version"]["N"]) if item else 0

    def upload_summary(self, provider_ref: str, upload_id: str) -> dict[str, Any] | None:
        response = client("dynamodb").get_item(
            TableName=self.table_name,
            Key={"PK": _s(provider_key(provider_ref)), "SK": _s(f"UPLOAD#{upload_id}")},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return json.loads(item["summary"]["S"]) if item else None

    def stored_line_weeks(
        self, provider_ref: str, first_week: date, last_week: date
    ) -> dict[tuple[str, date], StoredLineWeek]:
        """The current state of each line-week in the range: latest committed actuals, whether
        the latest committed report was a rejected row (V10), and paid."""
        pk = provider_key(provider_ref)
        committed = self.committed_attempts(provider_ref)
        latest: dict[tuple[str, date], Item] = {}
        accepted: dict[tuple[str, date], Item] = {}
        uncommitted = self._uncommitted_seen[provider_ref] = []
        for item in self._query(pk, f"ACTUAL#{first_week}", f"ACTUAL#{last_week}#{HIGH}"):
            if item["attempt"]["S"] not in committed:
                uncommitted.append(item)  # invisible; swept once it can never commit
                continue
            key = (item["line_ref"]["S"], date.fromisoformat(item["week"]["S"]))
            latest[key] = item  # the query returns a line-week's items oldest first
            if "rejected" not in item:
                accepted[key] = item
        paid = {
            (item["line_ref"]["S"], date.fromisoformat(item["week"]["S"]))
            for item in self._query(pk, f"PAID#{first_week}", f"PAID#{last_week}#{HIGH}")
        }
        states = {
            key: StoredLineWeek(
                _actuals_from_item(accepted[key]) if key in accepted else None,
                key in paid,
                _rejected_from_item(item) if "rejected" in item else None,
            )
            for key, item in latest.items()
        }
        for key in paid - states.keys():
            states[key] = StoredLineWeek(None, paid=True)
        return states

    def approvals(self, provider_ref: str) -> Approvals:
        extras: list[ExtraApproval] = []
        frustrated: list[FrustratedApproval] = []
        for item in self._query(provider_key(provider_ref), "APPROVAL#", "APPROVAL#" + HIGH):
            kind = item["kind"]["S"]
            if kind == "extra":
                extras.append(
                    ExtraApproval(
                        item["line_ref"]["S"],
                        date.fromisoformat(item["week"]["S"]),
                        int(item["quarters"]["N"]),
                    )
                )
            elif kind == "frustrated":
                frustrated.append(
                    FrustratedApproval(
                        item["line_ref"]["S"], date.fromisoformat(item["up_to"]["S"])
                    )
                )
        return Approvals.of(extras, frustrated)

    # -- writing -------------------------------------------------------------------------------
    def _batch_write(self, items: Iterable[Item], *, delete: bool = False) -> None:
        batch: list[WriteRequestTypeDef] = []
        for item in items:
            if delete:
                batch.append({"DeleteRequest": {"Key": {"PK": item["PK"], "SK": item["SK"]}}})
            else:
                batch.append({"PutRequest": {"Item": item}})
            if len(batch) == BATCH_SIZE:
                self._send_batch(batch)
                batch = []
        if batch:
            self._send_batch(batch)

    def _send_batch(self, batch: Sequence[WriteRequestTypeDef]) -> None:
        pending = list(batch)
        for _attempt in range(8):
            response = client("dynamodb").batch_write_item(RequestItems={self.table_name: pending})
            unprocessed = response.get("UnprocessedItems", {}).get(self.table_name, [])
            pending = cast("list[WriteRequestTypeDef]", unprocessed)
            if not pending:
                return
        raise StoreError(f"DynamoDB left {len(pending)} items unprocessed after retries")

    def save_submission(
        self,
        provider_ref: str,
        upload_id: str,
        line_weeks: Sequence[LineWeekActuals],
        summary: dict[str, Any],
        expected_version: int,
        rejected: Sequence[RejectedReport] = (),
    ) -> None:
        """Write every line-week (and rejected report) under a new attempt, then commit them
        together (see above). Items sort by the time of the report, then by the commit that
        stored them: a confirmation of a report sorts after it, whatever order they came in."""
        attempt = attempt_id(expected_version + 1, upload_id, datetime.now(UTC))
        items = [
            *(_actuals_item(line_week, attempt) for line_week in line_weeks),
            *(_rejected_item(provider_ref, report, attempt) for report in rejected),
        ]
        self._batch_write(items)
        pk = _s(provider_key(provider_ref))
        marker: Item = {
            "PK": pk,
            "SK": _s(f"UPLOAD#{upload_id}"),
            "attempt": _s(attempt),
            "summary": _s(json.dumps(summary, default=str)),
            "line_weeks": _n(len(line_weeks)),
        }
        try:
            self._commit(
                {
                    "Put": {
                        "TableName": self.table_name,
                        "Item": marker,
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                provider_ref,
                expected_version,
            )
        except (ConcurrentChange, AlreadyCommitted):
            self._batch_write(items, delete=True)  # this attempt never commits: nothing to keep
            raise
        self._sweep(provider_ref, expected_version + 1, datetime.now(UTC))

    def _sweep(self, provider_ref: str, version: int, now: datetime) -> None:
        """Delete the items of attempts that can never commit, seen by the last read of the
        provider's line-weeks: an attempt needs the version it was written for, so one written
        for `version` (the provider's, read after those items) or earlier is dead once another
        commit has it; and one older than any invocation can run is dead too. So a crashed
        attempt is cleared by its redelivery's commit, or by the weekly run if it never comes."""
        seen = self._uncommitted_seen.pop(provider_ref, [])
        if not seen:
            return
        committed = self.committed_attempts(provider_ref)  # now, not when they were seen
        dead = [
            item
            for item in seen
            if item["attempt"]["S"] not in committed
            and _attempt_is_over(item["attempt"]["S"], version, now)
        ]
        if dead:
            self._batch_write(dead, delete=True)

    def _commit(
        self,
        change: TransactWriteItemTypeDef,
        provider_ref: str,
        expected_version: int,
        *,
        finishing_payment: bool = False,
    ) -> None:
        """Apply `change` and advance the provider's state version, if it is still the one read.

        While an approved run is writing a provider's paid line-weeks (`paying` is set on the
        state), nothing else commits for that provider: a submission is checked again once the
        lock is complete, so it cannot slip between the paid items and the lock (V7).
        """
        dynamodb = client("dynamodb")
        condition = "version = :read"
        if expected_version == 0:
            condition = "(attribute_not_exists(version) OR version = :read)"
        if not finishing_payment:
            condition += " AND attribute_not_exists(paying)"
        advance: TransactWriteItemTypeDef = {
            "Update": {
                "TableName": self.table_name,
                "Key": {"PK": _s(provider_key(provider_ref)), "SK": _s("STATE")},
                "UpdateExpression": "SET version = :next"
                + (" REMOVE paying" if finishing_payment else ""),
                "ConditionExpression": condition,
                "ExpressionAttributeValues": {
                    ":next": _n(expected_version + 1),
                    ":read": _n(expected_version),
                },
            }
        }
        try:
            dynamodb.transact_write_items(TransactItems=[change, advance])
        except dynamodb.exceptions.TransactionCanceledException as cancelled:
            reasons = [r.get("Code") for r in cancelled.response.get("CancellationReasons", [])]
            if reasons[:1] == ["ConditionalCheckFailed"]:
                raise AlreadyCommitted(provider_ref) from cancelled
            raise ConcurrentChange(provider_ref) from cancelled

    def save_care_packages(
        self,
        import_id: str,
        versions: Sequence[ServiceLineVersion],
        summary: dict[str, Any],
        bank_details: Mapping[str, BankDetails] | None = None,
    ) -> None:
        """Upsert each line version under its provider, and keep the import itself, whole."""
        items: list[Item] = []
        for version in versions:
            item = _version_item(version, import_id)
            items.append(item)
            items.append(
                {
                    **item,
                    "PK": _s(f"IMPORT#{import_id}"),
                    "SK": _s(
                        f"LINE#{version.provider_ref}#{version.line_ref}#{version.start_date}"
                    ),
                }
            )
        providers = {v.provider_ref: v.provider_name for v in versions}
        for ref in providers:
            items.append({"PK": _s(PROVIDERS), "SK": _s(provider_key(ref))})
        self._batch_write(items)
        bank_details = bank_details or {}
        for ref, name in providers.items():
            # An update, not a put: an import without bank columns keeps the details known.
            assignments = ["provider_name = :name"]
            values: dict[str, AttributeValueTypeDef] = {":name": _s(name or ref)}
            bank = bank_details.get(ref)
            if bank is not None:
                assignments += [
                    "sort_code = :sort",
                    "account_number = :account",
                    "account_name = :account_name",
                ]
                values |= {
                    ":sort": _s(bank.sort_code),
                    ":account": _s(bank.account_number),
                    ":account_name": _s(bank.account_name),
                }
            client("dynamodb").update_item(
                TableName=self.table_name,
                Key={"PK": _s(provider_key(ref)), "SK": _s("PROFILE")},
                UpdateExpression="SET " + ", ".join(assignments),
                ExpressionAttributeValues=values,
            )
        client("dynamodb").put_item(
            TableName=self.table_name,
            Item={
                "PK": _s(f"IMPORT#{import_id}"),
                "SK": _s("SUMMARY"),
                "summary": _s(json.dumps(summary, default=str)),
            },
        )

    def save_approval(
        self, provider_ref: str, approval: ExtraApproval | FrustratedApproval
    ) -> None:
        if isinstance(approval, ExtraApproval):
            item: Item = {
                "SK": _s(f"APPROVAL#EXTRA#{approval.line_ref}#{approval.week_commencing}"),
                "kind": _s("extra"),
                "week": _s(approval.week_commencing.isoformat()),
                "quarters": _n(approval.extra_quarters),
            }
        else:
            item = {
                "SK": _s(f"APPROVAL#FRUSTRATED#{approval.line_ref}#{approval.up_to}"),
                "kind": _s("frustrated"),
                "up_to": _s(approval.up_to.isoformat()),
            }
        item |= {"PK": _s(provider_key(provider_ref)), "line_ref": _s(approval.line_ref)}
        client("dynamodb").put_item(TableName=self.table_name, Item=item)


def attempt_id(version: int, upload_id: str, started: datetime) -> str:
    """A processing attempt: the version it must commit as, when it started, whose it is."""
    return f"{version:010d}#{started:%Y%m%dT%H%M%SZ}#{upload_id}.{secrets.token_hex(4)}"


def _attempt_is_over(attempt: str, version: int, now: datetime) -> bool:
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


def actuals_sort_key(week: date, line_ref: str, submitted_at: datetime | None, attempt: str) -> str:
    """Latest report last; of one report, the latest commit last (`attempt` leads with it)."""
    stamp = _compact(submitted_at) if submitted_at else "0"
    return f"ACTUAL#{week}#{line_ref}#{stamp}#{attempt}"


def _rejected_item(provider_ref: str, report: RejectedReport, attempt: str) -> Item:
    return {
        "PK": _s(provider_key(provider_ref)),
        "SK": _s(
            actuals_sort_key(report.week_commencing, report.line_ref, report.submitted_at, attempt)
        ),
        "attempt": _s(attempt),
        "rejected": {"BOOL": True},
        "upload_id": _s(report.upload_id),
        "file": _s(report.file),
        "row": _n(report.row_number),
        "line_ref": _s(report.line_ref),
        "ss_ref": _s(report.ss_ref),
        "week": _s(report.week_commencing.isoformat()),
        "reasons": _s(json.dumps(report.reasons)),
        "submitted_at": _s(report.submitted_at.isoformat()),
    }


def _rejected_from_item(item: Item) -> RejectedReport:
    return RejectedReport(
        line_ref=item["line_ref"]["S"],
        ss_ref=item["ss_ref"]["S"],
        week_commencing=date.fromisoformat(item["week"]["S"]),
        upload_id=item["upload_id"]["S"],
        file=item["file"]["S"],
        row_number=int(item["row"]["N"]),
        reasons=tuple(json.loads(item["reasons"]["S"])),
        submitted_at=datetime.fromisoformat(item["submitted_at"]["S"]),
    )


def _actuals_item(line_week: LineWeekActuals, attempt: str) -> Item:
    item: Item = {
        "PK": _s(provider_key(line_week.provider_ref)),
        "SK": _s(
            actuals_sort_key(
                line_week.week_commencing, line_week.line_ref, line_week.submitted_at, attempt
            )
        ),
        "attempt": _s(attempt),
        "upload_id": _s(line_week.upload_id),
        "line_ref": _s(line_week.line_ref),
        "ss_ref": _s(line_week.ss_ref),
        "week": _s(line_week.week_commencing.isoformat()),
        "planned": _n(line_week.planned_quarters),
        "actual": _n(line_week.actual_quarters),
        "frustrated": _n(line_week.frustrated_quarters),
        "missed": _n(line_week.missed_quarters),
        "extra": _n(line_week.extra_quarters),
        "run": _n(line_week.frustrated_week_in_run),
        "source": _s(line_week.source),
        "late": {"BOOL": line_week.late_confirmation},
    }
    if line_week.planned_visits is not None:
        item["visits"] = _n(line_week.planned_visits)
    if line_week.comments:
        item["comments"] = _s(line_week.comments)
    if line_week.missed_reason:
        item["missed_reason"] = _s(line_week.missed_reason)
    if line_week.exceptions:
        item["exceptions"] = _s(json.dumps([[f.code, f.message] for f in line_week.exceptions]))
    if line_week.submitted_at:
        item["submitted_at"] = _s(line_week.submitted_at.isoformat())
    if line_week.confirmed_at:
        item["confirmed_at"] = _s(line_week.confirmed_at.isoformat())
    return item


def _actuals_from_item(item: Item) -> LineWeekActuals:
    def text(name: str) -> str:
        return item[name]["S"] if name in item else ""

    def number(name: str) -> int:
        return int(item[name]["N"])

    exceptions = tuple(
        Finding(code, message, Severity.EXCEPTION)
        for code, message in json.loads(text("exceptions") or "[]")
    )
    return LineWeekActuals(
        provider_ref=item["PK"]["S"].removeprefix("PROVIDER#"),
        line_ref=text("line_ref"),
        ss_ref=text("ss_ref"),
        week_commencing=date.fromisoformat(text("week")),
        planned_quarters=number("planned"),
        actual_quarters=number("actual"),
        frustrated_quarters=number("frustrated"),
        missed_quarters=number("missed"),
        extra_quarters=number("extra"),
        planned_visits=int(item["visits"]["N"]) if "visits" in item else None,
        comments=text("comments"),
        missed_reason=text("missed_reason"),
        exceptions=exceptions,
        frustrated_week_in_run=number("run"),
        source=text("source"),
        upload_id=text("upload_id"),
        submitted_at=datetime.fromisoformat(text("submitted_at"))
        if "submitted_at" in item
        else None,
        confirmed_at=datetime.fromisoformat(text("confirmed_at"))
        if "confirmed_at" in item
        else None,
        late_confirmation=item["late"]["BOOL"],
    )


def _version_item(version: ServiceLineVersion, import_id: str) -> Item:
    item: Item = {
        "PK": _s(provider_key(version.provider_ref)),
        "SK": _s(f"LINE#{version.line_ref}#{version.start_date}"),
        "line_ref": _s(version.line_ref),
        "provider_name": _s(version.provider_name or version.provider_ref),
        "ss_ref": _s(version.ss_ref),
        "service_type": _s(version.service_type.value),
        "service_level": _s(version.service_level),
        "unit": _s(version.unit.value),
        "planned": _s(str(version.planned_quantity)),
        "rate": _s(str(version.unit_rate)),
        "start": _s(version.start_date.isoformat()),
        "cancelled": {"BOOL": version.cancelled},
        "import_id": _s(import_id),
    }
    if version.end_date:
        item["end"] = _s(version.end_date.isoformat())
    if version.planned_visits is not None:
        item["visits"] = _n(version.planned_visits)
    return item


def _version_from_item(provider_ref: str, item: Item) -> ServiceLineVersion:
    return ServiceLineVersion.model_construct(
        provider_ref=provider_ref,
        provider_name=item["provider_name"]["S"],
        line_ref=item["line_ref"]["S"],
        ss_ref=item["ss_ref"]["S"],
        service_type=ServiceType(item["service_type"]["S"]),
        service_level=item["service_level"]["S"],
        unit=Unit(item["unit"]["S"]),
        planned_quantity=Decimal(item["planned"]["S"]),
        planned_visits=int(item["visits"]["N"]) if "visits" in item else None,
        unit_rate=Decimal(item["rate"]["S"]),
        start_date=date.fromisoformat(item["start"]["S"]),
        end_date=date.fromisoformat(item["end"]["S"]) if "end" in item else None,
        cancelled=item["cancelled"]["BOOL"],
    )


# -- payment runs -------------------------------------------------------------------------------
RUNS = "RUNS"  # one partition: every run, and the single open (unapproved) run's slot
OPEN_RUN = "OPEN"


class RunStore(DynamoStore):
    """Runs, the paid ledger and balances carried between runs, beside the actuals they pay."""

    def all_line_weeks(self, provider_ref: str) -> list[LineWeekActuals]:
        """The latest committed actuals of every line-week the provider ever submitted.

        Reading them all, the run also deletes what attempts that can never commit left (a
        crashed upload whose message was dead-lettered): the weekly run is the housekeeping.
        """
        states = self.stored_line_weeks(provider_ref, date(1900, 1, 1), date(9999, 12, 27))
        self._sweep(provider_ref, self.provider_version(provider_ref), datetime.now(UTC))
        return [state.actuals for state in states.values() if state.actuals is not None]

    def paid_ledger(
        self, provider_ref: str, week: date | None = None
    ) -> dict[tuple[str, date], PaidBefore]:
        """What approved runs paid on each line-week: all of them, or one week's."""
        low, high = (
            ("PAID#", "PAID#" + HIGH) if week is None else (f"PAID#{week}", f"PAID#{week}#{HIGH}")
        )
        return {
            (item["line_ref"]["S"], date.fromisoformat(item["week"]["S"])): PaidBefore(
                int(item["amount"]["N"]),
                Fraction(item["rate"]["S"]),
                int(item["quarters"]["N"]),
                item["ss_ref"]["S"],
            )
            for item in self._query(provider_key(provider_ref), low, high)
        }

    def carried_balance(self, provider_ref: str) -> int:
        """What the last approved run left to carry (negative: a recovery still owed)."""
        response = client("dynamodb").query(
            TableName=self.table_name,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :run)",
            ExpressionAttributeValues={
                ":pk": _s(provider_key(provider_ref)),
                ":run": _s("PAYRUN#"),
            },
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        items = response.get("Items", [])
        return int(items[0]["carried_out"]["N"]) if items else 0

    def provider_profile(self, provider_ref: str) -> tuple[str, BankDetails | None]:
        """(name, bank details) as the last care-package import gave them."""
        response = client("dynamodb").get_item(
            TableName=self.table_name,
            Key={"PK": _s(provider_key(provider_ref)), "SK": _s("PROFILE")},
        )
        item = response.get("Item", {})
        name = item["provider_name"]["S"] if "provider_name" in item else provider_ref
        if "sort_code" not in item:
            return name, None
        return name, BankDetails(
            item["sort_code"]["S"], item["account_number"]["S"], item["account_name"]["S"]
        )

    def save_payment(
        self,
        provider_ref: str,
        run_id: str,
        lines: Sequence[RunLine],
        carried_out_pence: int,
    ) -> bool:
        """Record an approved run's lines as paid (locking their line-weeks, V7) and its balance.

        Three steps: mark the provider as being paid (no submission commits meanwhile), write the
        PAID items, then one transaction writes the run's marker and clears the mark. Redelivered,
        it finds the marker, clears the mark and changes nothing else (returns False).
        """
        dynamodb = client("dynamodb")
        state_key = {"PK": _s(provider_key(provider_ref)), "SK": _s("STATE")}
        dynamodb.update_item(
            TableName=self.table_name,
            Key=state_key,
            UpdateExpression="SET paying = :run ADD version :one",
            ExpressionAttributeValues={":run": _s(run_id), ":one": _n(1)},
        )
        self._batch_write(
            _paid_item(provider_ref, run_id, line)
            for line in lines
            if line.status is not LineStatus.WITHHELD
        )
        marker: Item = {
            "PK": _s(provider_key(provider_ref)),
            "SK": _s(f"PAYRUN#{run_id}"),
            "carried_out": _n(carried_out_pence),
            "lines": _n(len(lines)),
        }
        change: TransactWriteItemTypeDef = {
            "Put": {
                "TableName": self.table_name,
                "Item": marker,
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }
        try:
            self._commit(
                change, provider_ref, self.provider_version(provider_ref), finishing_payment=True
            )
        except AlreadyCommitted:
            dynamodb.update_item(
                TableName=self.table_name, Key=state_key, UpdateExpression="REMOVE paying"
            )
            return False
        return True

    # -- the runs themselves -------------------------------------------------------------------
    def open_run(self, run: PaymentRun) -> None:
        """Create a run, if no other run is unapproved (RunRefused names the one that is)."""
        dynamodb = client("dynamodb")
        try:
            dynamodb.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": {
                                "PK": _s(RUNS),
                                "SK": _s(OPEN_RUN),
                                "run_id": _s(run.run_id),
                            },
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": _run_item(run),
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                ]
            )
        except dynamodb.exceptions.TransactionCanceledException as cancelled:
            reasons = [r.get("Code") for r in cancelled.response.get("CancellationReasons", [])]
            if reasons[0] == "ConditionalCheckFailed":
                open_id = self.open_run_id()
                raise RunRefused(
                    f"Run {open_id} is not approved yet, and only one run may be unapproved at "
                    f"a time: approve it (carepay runs approve {open_id}) or recalculate it "
                    f"(carepay runs recalculate {open_id})."
                ) from cancelled
            raise RunRefused(
                f"Run {run.run_id} already exists: a run at the same minute is the same run."
            ) from cancelled

    def open_run_id(self) -> str | None:
        response = client("dynamodb").get_item(
            TableName=self.table_name,
            Key={"PK": _s(RUNS), "SK": _s(OPEN_RUN)},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return item["run_id"]["S"] if item else None

    def run(self, run_id: str) -> PaymentRun | None:
        response = client("dynamodb").get_item(
            TableName=self.table_name,
            Key={"PK": _s(RUNS), "SK": _s(f"RUN#{run_id}")},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return _run_from_item(item) if item else None

    def runs(self) -> list[PaymentRun]:
        return [_run_from_item(item) for item in self._query(RUNS, "RUN#", "RUN#" + HIGH)]

    def change_run(
        self,
        run: PaymentRun,
        expected: RunStatus,
        *,
        expected_generation: int | None = None,
    ) -> bool:
        """Save `run` if its stored status (and generation) are still as read; False if not."""
        dynamodb = client("dynamodb")
        condition = "run_status = :expected"
        values: dict[str, AttributeValueTypeDef] = {":expected": _s(expected.value)}
        if expected_generation is not None:
            condition += " AND generation = :generation"
            values[":generation"] = _n(expected_generation)
        try:
            dynamodb.put_item(
                TableName=self.table_name,
                Item=_run_item(run),
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def provider_done(self, run_id: str, phase: str, generation: int, provider_ref: str) -> int:
        """Count a provider as done with a phase of a run; returns how many are done.

        A set, so a redelivered message is counted once; the generation, so a provider
        calculated for a draft since recalculated is not counted.
        """
        dynamodb = client("dynamodb")
        try:
            response = dynamodb.update_item(
                TableName=self.table_name,
                Key={"PK": _s(RUNS), "SK": _s(f"RUN#{run_id}")},
                UpdateExpression="ADD #done :provider",
                ConditionExpression="generation = :generation",
                ExpressionAttributeNames={"#done": f"done_{phase}"},
                ExpressionAttributeValues={
                    ":provider": {"SS": [provider_ref]},
                    ":generation": _n(generation),
                },
                ReturnValues="UPDATED_NEW",
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return -1
        return len(response["Attributes"][f"done_{phase}"]["SS"])

    def close_run(self, run: PaymentRun) -> None:
        """The run is approved and paid: free the slot for the next run."""
        client("dynamodb").transact_write_items(
            TransactItems=[
                {"Put": {"TableName": self.table_name, "Item": _run_item(run)}},
                {
                    "Delete": {
                        "TableName": self.table_name,
                        "Key": {"PK": _s(RUNS), "SK": _s(OPEN_RUN)},
                        "ConditionExpression": "run_id = :run",
                        "ExpressionAttributeValues": {":run": _s(run.run_id)},
                    }
                },
            ]
        )


def _paid_item(provider_ref: str, run_id: str, line: RunLine) -> Item:
    rate = line.weekly_rate_pence
    return {
        "PK": _s(provider_key(provider_ref)),
        "SK": _s(f"PAID#{line.week_commencing}#{line.line_ref}"),
        "line_ref": _s(line.line_ref),
        "week": _s(line.week_commencing.isoformat()),
        "ss_ref": _s(line.ss_ref),
        "amount": _n(line.amount_due_pence),
        "rate": _s(f"{rate.numerator}/{rate.denominator}"),
        "quarters": _n(line.payable_quarters),
        "run_id": _s(run_id),
    }


def _run_item(run: PaymentRun) -> Item:
    item: Item = {
        "PK": _s(RUNS),
        "SK": _s(f"RUN#{run.run_id}"),
        "run_id": _s(run.run_id),
        "run_at": _s(run.run_at.isoformat()),
        "run_status": _s(run.status.value),
        "generation": _n(run.generation),
        "providers": _s(json.dumps(run.providers)),
        "requested_by": _s(run.requested_by),
        "approved_by": _s(run.approved_by),
        "charging_periods": _s(json.dumps(run.charging_periods)),
    }
    if run.approved_at:
        item["approved_at"] = _s(run.approved_at.isoformat())
    return item


def _run_from_item(item: Item) -> PaymentRun:
    return PaymentRun(
        run_id=item["run_id"]["S"],
        run_at=datetime.fromisoformat(item["run_at"]["S"]),
        status=RunStatus(item["run_status"]["S"]),
        generation=int(item["generation"]["N"]),
        providers=json.loads(item["providers"]["S"]),
        requested_by=item["requested_by"]["S"],
        approved_by=item["approved_by"]["S"],
        approved_at=datetime.fromisoformat(item["approved_at"]["S"])
        if "approved_at" in item
        else None,
        charging_periods=json.loads(item["charging_periods"]["S"]),
    )


# -- Google Sheets --------------------------------------------------------------------------------
SHEETS = "SHEETS"  # one partition: every linked sheet, so the poller finds them without a scan


class SheetLinks(DynamoStore):
    def link(self, provider_ref: str, spreadsheet_id: str) -> SheetLink:
        """Record the provider's sheet (a provider has one; linking another replaces it)."""
        previous = self.sheet_of(provider_ref)
        if previous is not None and previous.spreadsheet_id != spreadsheet_id:
            client("dynamodb").delete_item(
                TableName=self.table_name,
                Key={"PK": _s(SHEETS), "SK": _s(f"SHEET#{previous.spreadsheet_id}")},
            )
        link = self.sheet(spreadsheet_id) or SheetLink(spreadsheet_id, provider_ref)
        link.provider_ref = provider_ref
        self.save(link)
        client("dynamodb").put_item(
            TableName=self.table_name,
            Item={
                "PK": _s(provider_key(provider_ref)),
                "SK": _s("SHEET"),
                "spreadsheet_id": _s(spreadsheet_id),
            },
        )
        return link

    def save(self, link: SheetLink) -> None:
        item: Item = {
            "PK": _s(SHEETS),
            "SK": _s(f"SHEET#{link.spreadsheet_id}"),
            "spreadsheet_id": _s(link.spreadsheet_id),
            "provider_ref": _s(link.provider_ref),
            "claim_tabs": _s(json.dumps(link.claim_tabs)),
            "other_tabs": _s(json.dumps(link.other_tabs)),
        }
        if link.last_read is not None:
            item["last_read"] = _s(link.last_read.isoformat())
        client("dynamodb").put_item(TableName=self.table_name, Item=item)

    def sheet(self, spreadsheet_id: str) -> SheetLink | None:
        response = client("dynamodb").get_item(
            TableName=self.table_name,
            Key={"PK": _s(SHEETS), "SK": _s(f"SHEET#{spreadsheet_id}")},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return _sheet_link(item) if item else None

    def sheet_of(self, provider_ref: str) -> SheetLink | None:
        response = client("dynamodb").get_item(
            TableName=self.table_name,
            Key={"PK": _s(provider_key(provider_ref)), "SK": _s("SHEET")},
            ConsistentRead=True,
        )
        item = response.get("Item")
        return self.sheet(item["spreadsheet_id"]["S"]) if item else None

    def sheets(self) -> list[SheetLink]:
        return [_sheet_link(item) for item in self._query(SHEETS, "SHEET#", "SHEET#" + HIGH)]


def _sheet_link(item: Item) -> SheetLink:
    return SheetLink(
        spreadsheet_id=item["spreadsheet_id"]["S"],
        provider_ref=item["provider_ref"]["S"],
        claim_tabs=json.loads(item["claim_tabs"]["S"]),
        other_tabs=json.loads(item["other_tabs"]["S"]),
        last_read=datetime.fromisoformat(item["last_read"]["S"]) if "last_read" in item else None,
    )


class Nonces:
    """Notice nonces, in the idempotency table: its TTL removes them once notices are stale."""

    def __init__(self, table_name: str) -> None:
        self.table_name = table_name

    def claim(self, nonce: str, keep_until: datetime) -> bool:
        dynamodb = client("dynamodb")
        try:
            dynamodb.put_item(
                TableName=self.table_name,
                Item={
                    "id": _s(f"sheet-notice#{nonce}"),
                    "expiration": _n(int(keep_until.timestamp())),
                },
                ConditionExpression="attribute_not_exists(id)",
            )
        except dynamodb.exceptions.ConditionalCheckFailedException:
            return False
        return True
