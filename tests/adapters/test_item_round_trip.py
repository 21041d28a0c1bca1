"""A line-week stored and read back (as the JSON DynamoDB sends) is the line-week that was stored,
whatever it holds: the reading a payment run does tens of thousands of times a run."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from carepay.adapters.dynamodb.items import actuals_from_item, actuals_item
from carepay.domain.actuals import LineWeekActuals
from carepay.domain.findings import Finding, Severity
from carepay.domain.weeks import LONDON

quarters = st.integers(min_value=0, max_value=672)
texts = st.text(max_size=40)
# hypothesis takes naive bounds and puts the time zone on what it draws
instants = st.datetimes(datetime(2024, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC))  # noqa: DTZ001
# as stored (UTC), or as a London clock shows the same instant
moments = st.none() | instants | instants.map(lambda moment: moment.astimezone(LONDON))
line_weeks = st.builds(
    LineWeekActuals,
    provider_ref=st.just("P001"),
    line_ref=st.text(min_size=1, max_size=12).filter(lambda ref: "#" not in ref),
    ss_ref=texts,
    week_commencing=st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 1, 1)),
    planned_quarters=quarters,
    actual_quarters=quarters,
    frustrated_quarters=quarters,
    missed_quarters=quarters,
    extra_quarters=quarters,
    planned_visits=st.none() | st.integers(min_value=0, max_value=99),
    comments=texts,
    missed_reason=texts,
    exceptions=st.lists(
        st.builds(Finding, st.sampled_from(["X1", "X2", "X3"]), texts, st.just(Severity.EXCEPTION)),
        max_size=3,
    ).map(tuple),
    frustrated_week_in_run=st.integers(min_value=0, max_value=60),
    source=st.sampled_from(["upload", "sheet", "confirmed as planned"]),
    upload_id=texts,
    submitted_at=moments,
    confirmed_at=moments,
    late_confirmation=st.booleans(),
    day_codes=st.sampled_from(["", "A.A.N..", "XXXXXXX"]),
)


@settings(max_examples=300, deadline=None)
@given(line_week=line_weeks)
def test_a_line_week_read_back_is_the_line_week_stored(line_week: LineWeekActuals) -> None:
    sent = json.loads(json.dumps(actuals_item(line_week, "attempt-1")))
    assert actuals_from_item(sent) == line_week
