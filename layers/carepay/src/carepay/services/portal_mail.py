"""The emails carepay sends, as text: each says what happened, what to do, and links to the
portal. No person's name is ever in one: people are addressed by nothing, providers by their
reference and organisation name, the council by its name."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from carepay.domain.weeks import confirmation_deadline

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SIGN_OFF = (
    "You receive this because the council gave your email address access to its provider "
    "portal. To stop the optional emails (claims ready, rejected rows, remittances, query "
    "answers), choose Email settings in the portal; reminders to confirm always come."
)


@dataclass(frozen=True)
class Letterhead:
    council_name: str
    portal_url: str


def _deadline(monday: date) -> str:
    return f"{confirmation_deadline(monday):%H:%M on %A %d %B %Y}"


def _week(monday: date) -> str:
    return f"{monday:%d/%m/%Y}"


def claim_ready(head: Letterhead, provider: str, monday: date) -> tuple[str, str]:
    subject = f"{head.council_name}: your claim for w/c {_week(monday)} is ready ({provider})"
    text = (
        f"The claim for the week commencing {_week(monday)} for {provider} is attached and in "
        f"the provider portal: {head.portal_url}\n\n"
        "What to do: check each line, enter what was delivered, upload the claim in the portal "
        f"and confirm the week by {_deadline(monday)}. Lines you do not change are paid as "
        f"planned once you confirm.\n\n{SIGN_OFF}\n"
    )
    return subject, text


def reminder(head: Letterhead, provider: str, monday: date, final: bool) -> tuple[str, str]:
    when = "today" if final else "by tomorrow"
    subject = f"{head.council_name}: please confirm w/c {_week(monday)} {when} ({provider})"
    text = (
        f"The week commencing {_week(monday)} for {provider} is not confirmed yet. Confirm it "
        f"in the provider portal by {_deadline(monday)}: {head.portal_url}\n\n"
        "Weeks confirmed after the deadline are paid by the following payment run.\n\n"
        f"{SIGN_OFF}\n"
    )
    return subject, text


def unconfirmed_at_deadline(
    head: Letterhead, monday: date, providers: Sequence[str]
) -> tuple[str, str]:
    count = "1 provider" if len(providers) == 1 else f"{len(providers)} providers"
    subject = f"{head.council_name}: {count} unconfirmed at the deadline for w/c {_week(monday)}"
    listed = (
        "\n".join(f"- {provider}" for provider in providers) or "- none: every provider confirmed"
    )
    text = (
        f"At the deadline ({_deadline(monday)}) these providers had not confirmed the week "
        f"commencing {_week(monday)}:\n\n{listed}\n\n"
        "Their weeks are paid by the first run after they confirm. They were reminded on "
        "Monday and Tuesday morning.\n"
    )
    return subject, text


def rejected_rows(head: Letterhead, provider: str, file: str, rejected: int) -> tuple[str, str]:
    rows = "1 row was" if rejected == 1 else f"{rejected} rows were"
    subject = f"{head.council_name}: {rows} rejected in a claim for {provider}"
    text = (
        f"A claim file for {provider} ({file}) reached carepay outside the portal, and {rows} "
        f"rejected. See why, row by row, and upload a corrected claim in the provider portal: "
        f"{head.portal_url}\n\nAccepted rows are stored and need not be sent again.\n\n"
        f"{SIGN_OFF}\n"
    )
    return subject, text


def remittance(head: Letterhead, provider: str, run_id: str) -> tuple[str, str]:
    subject = f"{head.council_name}: remittance advice {run_id} ({provider})"
    text = (
        f"The remittance advice of payment run {run_id} for {provider} is attached: what the "
        "run paid or recovered, line by line, and any balance carried forward. It is in the "
        f"provider portal too, with every earlier one: {head.portal_url}\n\n"
        "If something in it is not what you expected, raise a Payment query about it in the "
        f"portal.\n\n{SIGN_OFF}\n"
    )
    return subject, text


def query_answered(head: Letterhead, provider: str, query: str) -> tuple[str, str]:
    subject = f"{head.council_name}: your query {query} was answered ({provider})"
    text = (
        f"The council has answered query {query} for {provider}. Read the answer, and reply if "
        f"you need to, in the provider portal: {head.portal_url}\n\n{SIGN_OFF}\n"
    )
    return subject, text
