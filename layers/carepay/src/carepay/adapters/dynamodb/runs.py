"""Payment runs, the paid ledger, and the balances carried from one run to the next."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.items import paid_from_item, paid_item, run_from_item, run_item
from carepay.adapters.dynamodb.keys import (
    OPEN_RUN,
    RUNS,
    every,
    payrun_key,
    provider_key,
    run_key,
    weeks,
)
from carepay.adapters.dynamodb.state import ProviderState
from carepay.adapters.dynamodb.table import Item, Table, n, s
from carepay.domain.payment_run import EVER, LineStatus, OpenWeeks, PaidBefore, RunLine
from carepay.domain.runs import PaymentRun, RunRefused, RunStatus
from carepay.ports.errors import AlreadyCommitted

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef


class RunsTable:
    """The run side of PaymentRunStore (carepay.ports.stores)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.state = ProviderState(table)

    # -- what was paid ----------------------------------------------------------------------------
    def paid_ledger(
        self, provider_ref: str, first_week: date = EVER, last_week: date = date.max
    ) -> dict[tuple[str, date], PaidBefore]:
        """What approved runs paid on each line-week of the weeks `first_week`…`last_week`."""
        span = weeks("PAID#", first_week, last_week)
        return dict(paid_from_item(i) for i in self.table.query(provider_key(provider_ref), *span))

    def carried_balance(self, provider_ref: str) -> int:
        """What the last approved run left to carry (negative: a recovery still owed)."""
        response = client("dynamodb").query(
            TableName=self.table.name,
            KeyConditionExpression="PK = :pk AND begins_with(SK, :run)",
            ExpressionAttributeValues={
                ":pk": s(provider_key(provider_ref)),
                ":run": s("PAYRUN#"),
            },
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        items = response.get("Items", [])
        return int(items[0]["carried_out"]["N"]) if items else 0

    def save_payment(
        self,
        provider_ref: str,
        run_id: str,
        lines: Sequence[RunLine],
        carried_out_pence: int,
        settled: OpenWeeks | None = None,
    ) -> bool:
        """Record an approved run's lines as paid (locking their line-weeks, V7) and its balance.

        Three steps: mark the provider as being paid (no submission commits meanwhile), write the
        PAID items, then one transaction writes the run's marker, clears the mark and records
        what the run `settled` (OpenWeeks). Redelivered, it finds the marker, clears the mark
        and changes nothing else (returns False).
        """
        self.state.begin_paying(provider_ref, run_id)
        self.table.batch_write(
            paid_item(provider_ref, run_id, line)
            for line in lines
            if line.status is not LineStatus.WITHHELD
        )
        marker: Item = {
            "PK": s(provider_key(provider_ref)),
            "SK": s(payrun_key(run_id)),
            "carried_out": n(carried_out_pence),
            "lines": n(len(lines)),
        }
        version = self.state.version(provider_ref)
        try:
            self.state.commit(
                self.table.put_new(marker),
                provider_ref,
                version,
                finishing_payment=True,
                together_with=self._settling(provider_ref, settled),
            )
        except AlreadyCommitted:
            self.state.stop_paying(provider_ref)
            return False
        return True

    def _settling(
        self, provider_ref: str, settled: OpenWeeks | None
    ) -> list[TransactWriteItemTypeDef]:
        if settled is None or settled.settled_before is None:
            return []  # a result calculated before runs read only open weeks: nothing settled
        return [self.state.settle(provider_ref, settled.settled_before, settled.marks)]

    def open_weeks(self, provider_ref: str) -> OpenWeeks:
        return self.state.open_weeks(provider_ref)

    # -- the runs themselves ----------------------------------------------------------------------
    def open_run(self, run: PaymentRun) -> None:
        """Create a run, if no other run is unapproved (RunRefused names the one that is)."""
        dynamodb = client("dynamodb")
        slot: Item = {"PK": s(RUNS), "SK": s(OPEN_RUN), "run_id": s(run.run_id)}
        try:
            dynamodb.transact_write_items(
                TransactItems=[self.table.put_new(slot), self.table.put_new(run_item(run))]
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
        item = self.table.get(RUNS, OPEN_RUN)
        return item["run_id"]["S"] if item else None

    def run(self, run_id: str) -> PaymentRun | None:
        item = self.table.get(RUNS, run_key(run_id))
        return run_from_item(item) if item else None

    def runs(self) -> list[PaymentRun]:
        return [run_from_item(item) for item in self.table.query(RUNS, *every("RUN#"))]

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
        values: dict[str, AttributeValueTypeDef] = {":expected": s(expected.value)}
        if expected_generation is not None:
            condition += " AND generation = :generation"
            values[":generation"] = n(expected_generation)
        try:
            dynamodb.put_item(
                TableName=self.table.name,
                Item=run_item(run),
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
                TableName=self.table.name,
                Key={"PK": s(RUNS), "SK": s(run_key(run_id))},
                UpdateExpression="ADD #done :provider",
                ConditionExpression="generation = :generation",
                ExpressionAttributeNames={"#done": f"done_{phase}"},
                ExpressionAttributeValues={
                    ":provider": {"SS": [provider_ref]},
                    ":generation": n(generation),
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
                {"Put": {"TableName": self.table.name, "Item": run_item(run)}},
                {
                    "Delete": {
                        "TableName": self.table.name,
                        "Key": {"PK": s(RUNS), "SK": s(OPEN_RUN)},
                        "ConditionExpression": "run_id = :run",
                        "ExpressionAttributeValues": {":run": s(run.run_id)},
                    }
                },
            ]
        )
