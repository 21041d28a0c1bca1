"""Queries (the disputes of DOMAIN.md): raised by a provider, answered and resolved by the
council, every message kept, and a resolved query never changed again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from carepay.domain.queries import MOST_CHARACTERS, QueryRefused, QueryStatus, open_query

AT = datetime(2026, 11, 20, 10, tzinfo=UTC)


def test_a_query_goes_from_open_to_answered_to_resolved_keeping_every_message() -> None:
    raised = open_query("Q1", "P001", "Report an error", "L1007 w/c 2026-11-09", "jo", "Why?", AT)
    answered = raised.answered("finance", "Because…", AT + timedelta(hours=1))
    again = answered.replied("jo", "Still unclear.", AT + timedelta(hours=2))
    resolved = again.answered("finance", "Paid next run.", AT + timedelta(hours=3)).resolved(
        "finance", "", AT + timedelta(hours=4)
    )
    assert [raised.status, answered.status, again.status, resolved.status] == [
        QueryStatus.OPEN,
        QueryStatus.ANSWERED,
        QueryStatus.OPEN,  # the provider's reply waits for the council again
        QueryStatus.RESOLVED,
    ]
    assert [m.author for m in resolved.messages] == [
        "provider",
        "council",
        "provider",
        "council",
        "council",
    ]
    assert resolved.opened_at == AT and resolved.messages[-1].text == "Resolved."


def test_a_resolved_query_cannot_be_resolved_answered_or_replied_to_again() -> None:
    resolved = open_query("Q1", "P001", "Payment query", "w/c 2026-11-09", "jo", "Why?", AT)
    resolved = resolved.resolved("finance", "Done", AT)
    with pytest.raises(QueryRefused, match="already resolved and cannot be resolved again"):
        resolved.resolved("finance", "", AT)
    with pytest.raises(QueryRefused, match="cannot be answered"):
        resolved.answered("finance", "More", AT)
    with pytest.raises(QueryRefused, match="raise a new query"):
        resolved.replied("jo", "More", AT)


@pytest.mark.parametrize(
    ("kind", "about", "text", "says"),
    [
        ("Complaint", "w/c 2026-11-09", "Why?", "Choose 'Report an error' or 'Payment query'"),
        ("Payment query", " ", "Why?", "Say what the query is about"),
        ("Payment query", "w/c 2026-11-09", "   ", "the box is empty"),
        ("Payment query", "w/c 2026-11-09", "x" * (MOST_CHARACTERS + 1), "send the rest"),
    ],
)
def test_a_query_that_cannot_be_understood_is_refused_saying_what_to_do(
    kind: str, about: str, text: str, says: str
) -> None:
    with pytest.raises(QueryRefused, match=says):
        open_query("Q1", "P001", kind, about, "jo", text, AT)
