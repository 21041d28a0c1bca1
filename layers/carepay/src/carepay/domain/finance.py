"""Money leaving the council: what each provider is sent by a run, what is carried forward, and
the 4-weekly client charging periods (DOMAIN.md, 'Around the payment')."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from carepay.domain.weeks import (
    LONDON,
    confirmation_deadline,
    financial_year_label,
    financial_year_week,
    first_week_of_year,
    week_commencing,
    weeks_of_year,
)

SORT_CODE = re.compile(r"^\d{6}$")
ACCOUNT_NUMBER = re.compile(r"^\d{8}$")
# What a BACS field may hold; anything else is replaced by a space when the file is written.
BACS_CHARACTERS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .&/-")
WEEKS_PER_PERIOD = 4
PERIODS_PER_YEAR = 13


class BankDetailsError(ValueError):
    """Bank details that a BACS file could not carry; the message says which field and why."""


class BankDetails(NamedTuple):
    sort_code: str  # six digits
    account_number: str  # eight digits
    account_name: str  # as the bank knows the account; cut to 18 characters in the file

    @classmethod
    def parse(cls, sort_code: str, account_number: str, account_name: str) -> BankDetails:
        sort_digits = re.sub(r"[\s-]", "", sort_code)
        account_digits = re.sub(r"\s", "", account_number)
        if not SORT_CODE.match(sort_digits):
            raise BankDetailsError(
                f"Sort code '{sort_code}' is not six digits (write it as 12-34-56 or 123456)"
            )
        if not ACCOUNT_NUMBER.match(account_digits):
            raise BankDetailsError(f"Account number '{account_number}' is not eight digits")
        if not account_name.strip():
            raise BankDetailsError("Account name is empty")
        return cls(sort_digits, account_digits, account_name.strip())


class SettlementNote(StrEnum):
    PAID = "paid by BACS"
    RECOVERY = "recovery carried forward"
    NO_BANK_DETAILS = "held: no bank details"
    NOTHING = "nothing to pay"


@dataclass(frozen=True, slots=True)
class Settlement:
    """What one provider is sent by one run, once earlier balances are taken into account.

    A negative total (more recovered than due) is never debited from a provider: it is carried
    forward and taken from the next run's payment. A positive total with no bank details is
    carried forward too, and paid once the details arrive.
    """

    net_pence: int  # this run's lines: due now − paid before
    carried_in_pence: int  # left over from earlier runs (negative: a recovery still owed)
    payment_pence: int  # the BACS credit
    carried_out_pence: int  # left over for the next run
    note: SettlementNote

    @property
    def total_pence(self) -> int:
        return self.net_pence + self.carried_in_pence


def settle(net_pence: int, carried_in_pence: int, bank: BankDetails | None) -> Settlement:
    total = net_pence + carried_in_pence
    if total < 0:
        return Settlement(net_pence, carried_in_pence, 0, total, SettlementNote.RECOVERY)
    if total == 0:
        return Settlement(net_pence, carried_in_pence, 0, 0, SettlementNote.NOTHING)
    if bank is None:
        return Settlement(net_pence, carried_in_pence, 0, total, SettlementNote.NO_BANK_DETAILS)
    return Settlement(net_pence, carried_in_pence, total, 0, SettlementNote.PAID)


def run_id_for(run_at: datetime) -> str:
    """A run's name: when it ran, in London time, so runs sort by when they happened."""
    return f"R{run_at.astimezone(LONDON):%Y%m%d-%H%M}"


class ChargingPeriod(NamedTuple):
    """Four weeks of a financial year: periods 1–13, the 13th taking week 53 when a year has one."""

    year: int  # the calendar year the financial year began in
    number: int

    @property
    def name(self) -> str:
        return f"{financial_year_label(self.year)} P{self.number:02d}"

    @property
    def slug(self) -> str:
        return f"{self.year}-P{self.number:02d}"

    @classmethod
    def from_slug(cls, slug: str) -> ChargingPeriod:
        year, _, number = slug.partition("-P")
        return cls(int(year), int(number))

    def weeks(self) -> list[date]:
        first = first_week_of_year(self.year) + timedelta(
            weeks=(self.number - 1) * WEEKS_PER_PERIOD
        )
        count = WEEKS_PER_PERIOD
        if self.number == PERIODS_PER_YEAR and len(weeks_of_year(self.year)) == 53:
            count += 1
        return [first + timedelta(weeks=n) for n in range(count)]


def charging_period(monday: date) -> ChargingPeriod:
    year, week = financial_year_week(monday)
    return ChargingPeriod(year, min((week - 1) // WEEKS_PER_PERIOD + 1, PERIODS_PER_YEAR))


def completed_periods(after: date | None, cutoff: datetime) -> list[ChargingPeriod]:
    """Periods whose last week's confirmation deadline had passed by `cutoff`, ending after
    `after` (the last week already extracted); with no `after`, only the latest such period."""
    latest_week = week_commencing(cutoff.astimezone(LONDON).date())
    while confirmation_deadline(latest_week) > cutoff:
        latest_week -= timedelta(weeks=1)
    period = charging_period(latest_week)
    if period.weeks()[-1] != latest_week:
        period = _previous(period)
    periods = [period]
    if after is None:
        return periods
    while True:
        earlier = _previous(periods[0])
        if earlier.weeks()[-1] <= after:
            break
        periods.insert(0, earlier)
    return [p for p in periods if p.weeks()[-1] > after]


def _previous(period: ChargingPeriod) -> ChargingPeriod:
    if period.number > 1:
        return ChargingPeriod(period.year, period.number - 1)
    return ChargingPeriod(period.year - 1, PERIODS_PER_YEAR)


class FinanceCodingError(ValueError):
    """The FinanceCoding parameter cannot be read; the message says which entry and why."""


@dataclass(frozen=True)
class FinanceCoding:
    """Finance's cost centre and expense code for each service type (or type and level): a
    ledger line no entry covers is left uncoded and reported, never guessed."""

    codes: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> FinanceCoding:
        """`Home Support=CC410:5210; Day Care/AM Session=CC420:5230` (a level is optional)."""
        codes: dict[tuple[str, str], tuple[str, str]] = {}
        for entry in (e.strip() for e in text.replace("\n", ";").split(";")):
            if not entry:
                continue
            service, _, code = entry.partition("=")
            cost_centre, _, expense_code = code.partition(":")
            service_type, _, level = service.partition("/")
            if not (service_type.strip() and cost_centre.strip() and expense_code.strip()):
                raise FinanceCodingError(
                    f"FinanceCoding entry {entry!r}: write Service Type[/Service Level]="
                    "Cost Centre:Expense Code"
                )
            key = (service_type.strip().casefold(), level.strip().casefold())
            codes[key] = (cost_centre.strip(), expense_code.strip())
        return cls(codes)

    def code_of(self, service_type: str, service_level: str) -> tuple[str, str] | None:
        key = service_type.casefold()
        return self.codes.get((key, service_level.casefold())) or self.codes.get((key, ""))
