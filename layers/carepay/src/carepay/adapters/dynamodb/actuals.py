"""Actuals: what providers reported for each line-week, stored under processing attempts and made
visible by a commit.

An upload's actuals are written in batches of 25 under the id of this processing attempt, and
become visible together through one commit (carepay.adapters.dynamodb.state): a transaction that
writes the upload's marker (naming the attempt) and advances the provider's state version read
before validating. So:
  - a crash between batches leaves nothing visible, and a retry's attempt never adopts the
    crashed attempt's items;
  - two submissions of one provider processed at once cannot both commit decisions made on the
    same state: the second is refused (ConcurrentChange) and is checked again on the new state.
An attempt that can never commit is deleted: by its own refusal, by the next commit that reads
its items, or by the weekly run.

A report superseded for good (neither its line-week's latest report nor its latest accepted
one, after a commit) is retired to the provider's HISTORY partition by the commit that
superseded it, or by the weekly run: kept, and never read again, so the tenth upload of a claim
reads what the first did. A read that a commit (and so a retirement) overlapped is read again:
it could otherwise miss a report retired after the read's view of what was committed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from carepay.adapters.dynamodb.items import (
    actuals_from_item,
    actuals_item,
    rejected_from_item,
    rejected_item,
)
from carepay.adapters.dynamodb.keys import (
    attempt_id,
    attempt_is_over,
    confirmed_weeks_key,
    history_key,
    provider_key,
    upload_key,
    upload_of,
    weeks,
)
from carepay.adapters.dynamodb.state import ProviderState
from carepay.adapters.dynamodb.table import Item, Table, n, s
from carepay.domain.actuals import LineWeekActuals, RejectedReport, StoredLineWeek
from carepay.domain.payment_run import EVER
from carepay.domain.portal_weeks import ConfirmedWeeks
from carepay.ports.errors import AlreadyCommitted, ConcurrentChange

READS = 5  # a read overlapped by commits this many times in a row is used as it is
LineWeek = tuple[str, date]


class ActualsTable:
    """The actuals side of ActualsStore and PlanSource (carepay.ports.stores)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.state = ProviderState(table)
        # Items of uncommitted attempts the last read of a provider's line-weeks passed over.
        self._uncommitted_seen: dict[str, list[Item]] = {}
        # Of the last read: committed reports superseded for good, and each line-week's latest
        # report and latest accepted one (what a commit then supersedes).
        self._superseded_seen: dict[str, list[Item]] = {}
        self._current_seen: dict[str, dict[LineWeek, list[Item]]] = {}

    def provider_version(self, provider_ref: str) -> int:
        return self.state.version(provider_ref)

    def committed_attempts(self, provider_ref: str, attempts: Iterable[str]) -> set[str]:
        """Of these processing attempts, those whose actuals are visible: the one each upload's
        marker names. Only the uploads read are looked up, not every upload ever made."""
        pk = provider_key(provider_ref)
        uploads = {(pk, upload_key(upload_of(attempt))) for attempt in attempts}
        markers = self.table.get_many(uploads, "attempt")
        return {marker["attempt"]["S"] for marker in markers if "attempt" in marker}

    def upload_summary(self, provider_ref: str, upload_id: str) -> dict[str, Any] | None:
        item = self.table.get(provider_key(provider_ref), upload_key(upload_id))
        return json.loads(item["summary"]["S"]) if item else None

    def stored_line_weeks(
        self, provider_ref: str, first_week: date, last_week: date, *, paid: bool = True
    ) -> dict[tuple[str, date], StoredLineWeek]:
        """The current state of each line-week in the range: latest committed actuals, whether
        the latest committed report was a rejected row (V10), and paid (unless not `paid`: a
        run has the paid ledger of its own). Read again when a commit overlapped the read (see
        above)."""
        for _ in range(READS):
            version = self.state.version(provider_ref)
            states = self._read_line_weeks(provider_ref, first_week, last_week, paid)
            if self.state.version(provider_ref) == version:
                break
        return states

    def _read_line_weeks(
        self, provider_ref: str, first_week: date, last_week: date, with_paid: bool
    ) -> dict[tuple[str, date], StoredLineWeek]:
        pk = provider_key(provider_ref)
        read = list(self.table.query(pk, *weeks("ACTUAL#", first_week, last_week)))
        committed = self.committed_attempts(provider_ref, {item["attempt"]["S"] for item in read})
        reports: dict[LineWeek, list[Item]] = {}
        uncommitted = self._uncommitted_seen[provider_ref] = []
        for item in read:
            if item["attempt"]["S"] not in committed:
                uncommitted.append(item)  # invisible; swept once it can never commit
                continue
            key = (item["line_ref"]["S"], date.fromisoformat(item["week"]["S"]))
            reports.setdefault(key, []).append(item)  # a line-week's items come oldest first
        current = {key: _current(items) for key, items in reports.items()}
        self._current_seen[provider_ref] = current
        self._superseded_seen[provider_ref] = [
            item for key, items in reports.items() for item in _others(items, current[key])
        ]
        paid = self._paid(pk, first_week, last_week) if with_paid else set()
        states = {key: _state_of(items, key in paid) for key, items in current.items()}
        for key in paid - states.keys():
            states[key] = StoredLineWeek(None, paid=True)
        return states

    def confirmed_weeks(self, provider_ref: str, year: int) -> ConfirmedWeeks | None:
        item = self.table.get(provider_key(provider_ref), confirmed_weeks_key(year))
        if item is None:
            return None
        return ConfirmedWeeks(date.fromisoformat(item["before"]["S"]), item["stamp"]["S"])

    def save_confirmed_weeks(self, provider_ref: str, year: int, found: ConfirmedWeeks) -> None:
        """Kept as found: two views at once each write a truth (confirmations only add)."""
        self.table.put(
            {
                "PK": s(provider_key(provider_ref)),
                "SK": s(confirmed_weeks_key(year)),
                "before": s(found.before.isoformat()),
                "stamp": s(found.stamp),
            }
        )

    def _paid(self, pk: str, first_week: date, last_week: date) -> set[LineWeek]:
        return {
            (item["line_ref"]["S"], date.fromisoformat(item["week"]["S"]))
            for item in self.table.query(pk, *weeks("PAID#", first_week, last_week))
        }

    def line_weeks_from(self, provider_ref: str, first_week: date = EVER) -> list[LineWeekActuals]:
        """The latest committed actuals of every line-week the provider submitted from
        `first_week` on.

        Reading them, the run also deletes what attempts that can never commit left (a crashed
        upload whose message was dead-lettered) and retires superseded reports: the weekly run
        is the housekeeping of the weeks that can still change.
        """
        states = self.stored_line_weeks(provider_ref, first_week, date.max, paid=False)
        self.sweep(provider_ref, self.provider_version(provider_ref), datetime.now(UTC))
        self._retire(provider_ref, self._superseded_seen.pop(provider_ref, []))
        return [state.actuals for state in states.values() if state.actuals is not None]

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
            *(actuals_item(line_week, attempt) for line_week in line_weeks),
            *(rejected_item(provider_ref, report, attempt) for report in rejected),
        ]
        self.table.batch_write(items)
        marker: Item = {
            "PK": s(provider_key(provider_ref)),
            "SK": s(upload_key(upload_id)),
            "attempt": s(attempt),
            "summary": s(json.dumps(summary, default=str)),
            "line_weeks": n(len(line_weeks)),
        }
        # What a payment run must read again: from the earliest week this upload changes.
        earliest = min((line_week.week_commencing for line_week in line_weeks), default=None)
        marks = [self.state.mark(provider_ref, earliest)] if earliest else []
        try:
            self.state.commit(
                self.table.put_new(marker), provider_ref, expected_version, together_with=marks
            )
        except (ConcurrentChange, AlreadyCommitted):
            self.table.batch_write(items, delete=True)  # this attempt never commits
            raise
        self.sweep(provider_ref, expected_version + 1, datetime.now(UTC))
        self._retire(provider_ref, self._superseded_by(provider_ref, items))

    def _superseded_by(self, provider_ref: str, written: Sequence[Item]) -> list[Item]:
        """What this commit's reports supersede for good, of those the last read saw current,
        and what that read found superseded already. From a read older than the commit's
        version this is a part of what is superseded: never an item still current."""
        superseded = self._superseded_seen.pop(provider_ref, [])
        current = self._current_seen.pop(provider_ref, {})
        by_line_week: dict[LineWeek, list[Item]] = {}
        for item in written:
            key = (item["line_ref"]["S"], date.fromisoformat(item["week"]["S"]))
            by_line_week.setdefault(key, []).append(item)
        for key, new in by_line_week.items():
            reports = sorted([*current.get(key, []), *new], key=lambda item: item["SK"]["S"])
            superseded += _others(reports, _current(reports))
        return superseded

    def _retire(self, provider_ref: str, superseded: Sequence[Item]) -> None:
        """Keep superseded reports in the history partition, then take them out of the reads."""
        if not superseded:
            return
        unique = list({item["SK"]["S"]: item for item in superseded}.values())
        history = s(history_key(provider_ref))
        self.table.batch_write({**item, "PK": history} for item in unique)
        self.table.batch_write(unique, delete=True)

    def sweep(self, provider_ref: str, version: int, now: datetime) -> None:
        """Delete the items of attempts that can never commit, seen by the last read of the
        provider's line-weeks: an attempt needs the version it was written for, so one written
        for `version` (the provider's, read after those items) or earlier is dead once another
        commit has it; and one older than any invocation can run is dead too. So a crashed
        attempt is cleared by its redelivery's commit, or by the weekly run if it never comes."""
        seen = self._uncommitted_seen.pop(provider_ref, [])
        if not seen:
            return
        # Now, not when they were seen.
        committed = self.committed_attempts(provider_ref, {item["attempt"]["S"] for item in seen})
        dead = [
            item
            for item in seen
            if item["attempt"]["S"] not in committed
            and attempt_is_over(item["attempt"]["S"], version, now)
        ]
        if dead:
            self.table.batch_write(dead, delete=True)


def _current(reports: list[Item]) -> list[Item]:
    """Of a line-week's committed reports, oldest first: the latest, and the latest accepted
    one when that is another (a rejected row never replaces accepted actuals)."""
    latest = reports[-1]
    accepted = next((item for item in reversed(reports) if "rejected" not in item), None)
    return [latest] if accepted is None or accepted is latest else [accepted, latest]


def _state_of(current: list[Item], paid: bool) -> StoredLineWeek:
    latest = current[-1]
    accepted = next((item for item in current if "rejected" not in item), None)
    return StoredLineWeek(
        actuals_from_item(accepted) if accepted is not None else None,
        paid,
        rejected_from_item(latest) if "rejected" in latest else None,
    )


def _others(reports: list[Item], current: list[Item]) -> list[Item]:
    kept = {id(item) for item in current}
    return [item for item in reports if id(item) not in kept]
