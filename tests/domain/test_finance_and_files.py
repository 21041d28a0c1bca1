"""What leaves the council: settlements, carried balances, the payment file, the charging
periods, and the invariant that remittances, ledger and payment file agree to the penny."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from carepay.domain.finance import (
    BankDetails,
    BankDetailsError,
    ChargingPeriod,
    FinanceCoding,
    FinanceCodingError,
    SettlementNote,
    charging_period,
    completed_periods,
    settle,
)
from carepay.domain.payment_run import AdjustmentReason, LineStatus, RunLine
from carepay.domain.runs import ProviderResult, RunStatus, result_from_dict, result_to_dict
from carepay.domain.weeks import LONDON
from carepay.domain.working_days import PaymentDates, WorkingDays, planned_payment
from carepay.spreadsheets.bacs import (
    Credit,
    Labels,
    PaymentFileError,
    read_payment_file,
    write_payment_file,
)
from carepay.spreadsheets.finance_reports import write_ledger_csv
from carepay.spreadsheets.finance_xlsx import write_summary_workbook
from carepay.spreadsheets.remittance import RemittanceHeader, write_remittance_csv

COUNCIL = BankDetails("123456", "12345678", "Example Council")
RUN_AT = datetime(2026, 11, 18, 6, 0, tzinfo=LONDON)
HEADER = RemittanceHeader("Example Council", "R20261118-0600", RUN_AT, date(2026, 11, 20))


def test_a_negative_total_is_carried_forward_as_a_recovery_never_debited() -> None:
    settlement = settle(-2000, 0, COUNCIL)
    assert (settlement.payment_pence, settlement.carried_out_pence) == (0, -2000)
    assert settlement.note is SettlementNote.RECOVERY


def test_a_recovery_is_taken_from_the_next_payment() -> None:
    settlement = settle(7000, -10500, COUNCIL)
    assert (settlement.payment_pence, settlement.carried_out_pence) == (0, -3500)
    assert settle(12000, -3500, COUNCIL).payment_pence == 8500


def test_without_bank_details_a_payment_is_carried_not_lost() -> None:
    settlement = settle(4000, 0, None)
    assert (settlement.payment_pence, settlement.carried_out_pence) == (0, 4000)
    assert settlement.note is SettlementNote.NO_BANK_DETAILS


def test_bank_details_are_checked_and_the_message_says_what_is_wrong() -> None:
    assert BankDetails.parse("20-00-00", "5577 9911", " Acme ") == BankDetails(
        "200000", "55779911", "Acme"
    )
    with pytest.raises(BankDetailsError, match="Sort code '20-00' is not six digits"):
        BankDetails.parse("20-00", "55779911", "Acme")
    with pytest.raises(BankDetailsError, match="Account number '1234' is not eight digits"):
        BankDetails.parse("200000", "1234", "Acme")


def test_money_reaches_providers_on_the_friday_after_a_wednesday_run() -> None:
    weekdays = WorkingDays()  # no bank holiday in these weeks
    assert planned_payment(RUN_AT.date(), weekdays).payment_date == date(2026, 11, 20)
    friday_run = planned_payment(date(2026, 11, 20), weekdays)
    assert friday_run == PaymentDates(date(2026, 11, 26), date(2026, 11, 27))  # the next week


def test_charging_periods_are_four_weeks_from_week_1_and_period_13_takes_week_53() -> None:
    assert charging_period(date(2026, 3, 30)) == ChargingPeriod(2026, 1)  # the week of 1 April
    assert charging_period(date(2026, 11, 16)) == ChargingPeriod(2026, 9)
    assert len(ChargingPeriod(2026, 13).weeks()) == 4  # 2026-27 has 52 weeks
    # 2023-24 ran from Monday 27 March 2023 to Sunday 31 March 2024: 53 weeks, the last in P13.
    fifty_three = ChargingPeriod(2023, 13).weeks()
    assert len(fifty_three) == 5 and fifty_three[-1] == date(2024, 3, 25)
    assert charging_period(date(2024, 3, 25)) == ChargingPeriod(2023, 13)
    assert charging_period(date(2024, 4, 1)) == ChargingPeriod(2024, 1)
    assert ChargingPeriod.from_slug("2026-P08") == ChargingPeriod(2026, 8)


def test_a_run_extracts_each_period_completed_since_the_last_extract() -> None:
    cutoff = datetime(2026, 11, 24, 17, 0, tzinfo=LONDON)  # w/c 16/11's deadline
    assert completed_periods(None, cutoff) == [ChargingPeriod(2026, 8)]
    last_of_p6 = ChargingPeriod(2026, 6).weeks()[-1]
    assert completed_periods(last_of_p6, cutoff) == [
        ChargingPeriod(2026, 7),
        ChargingPeriod(2026, 8),
    ]
    assert completed_periods(ChargingPeriod(2026, 8).weeks()[-1], cutoff) == []


def test_a_payment_file_pays_each_credit_and_balances_with_one_contra() -> None:
    credits = [
        Credit(BankDetails("200000", "55779911", "Acme Home Care Limited"), 141326, "2611250600-P001"),
        Credit(BankDetails("401162", "31926819", "Bradford Day Services"), 15750, "2611250600-P002"),
    ]  # fmt: skip
    content = write_payment_file(credits, COUNCIL, date(2026, 11, 25), "R20261125-0600")
    lines = content.decode().split("\r\n")[:-1]
    assert [len(line) for line in lines] == [80, 100, 100, 100, 80]
    assert lines[1][:17] == "20000055779911099" and lines[1][35:46] == "00000141326"
    assert lines[1][82:100] == "ACME HOME CARE LIM"  # cut to 18 characters, upper case
    assert lines[3][15:17] == "17" and lines[3][35:46] == "00000157076"
    parsed = read_payment_file(content)
    assert parsed.credit_total_pence == parsed.contra_pence == 157076
    assert parsed.trailer == {
        "debit_total": 157076, "credit_total": 157076, "debit_count": 1, "credit_count": 2
    }  # fmt: skip
    assert parsed.processing_day == date(2026, 11, 25)


def test_a_tampered_payment_file_is_refused_by_the_checker() -> None:
    credit = Credit(BankDetails("200000", "55779911", "Acme"), 1000, "REF")
    content = write_payment_file([credit], COUNCIL, date(2026, 11, 25), "R1")
    with pytest.raises(PaymentFileError, match="credit total or count"):
        read_payment_file(content.replace(b"00000001000", b"00000002000", 1))
    with pytest.raises(PaymentFileError, match="only positive"):
        write_payment_file([Credit(credit.bank, -5, "REF")], COUNCIL, date(2026, 11, 25), "R1")


LABELS = Labels.for_run("654321", "R20261125-0600", date(2026, 11, 25))
ACME = Credit(
    BankDetails("200000", "55779911", "Acme Home Care Limited"), 141326, "2611250600-P001"
)


def test_with_a_service_user_number_the_file_carries_bacs_labels_around_the_bureau_form() -> None:
    bureau = write_payment_file([ACME], COUNCIL, date(2026, 11, 26), "R20261125-0600")
    labelled = write_payment_file([ACME], COUNCIL, date(2026, 11, 26), "R20261125-0600", LABELS)
    lines = labelled.decode().split("\r\n")[:-1]
    assert [line[:4] for line in lines[:4] + lines[-3:]] == [
        "VOL1", "HDR1", "HDR2", "UHL1", "EOF1", "EOF2", "UTL1"
    ]  # fmt: skip
    assert [len(line) for line in lines] == [80, 80, 80, 80, 100, 100, 80, 80, 80]
    assert lines[3:6] + lines[-1:] == bureau.decode().split("\r\n")[:-1]
    volume, header_1, header_2 = lines[:3]
    assert volume[4:10] == "250600" and volume[41:47] == "654321" and volume[79] == "1"
    assert volume[10:41].isspace() and volume[47:79].isspace()
    assert header_1[4:21] == "A654321S   654321"  # file identifier: A, SUN, S, SUN
    assert header_1[21:27] == "250600" and header_1[27:35] == "00010001"
    # created 25/11/2026 (day 329); expires a week after processing on 26/11 (day 337)
    assert header_1[41:53] == " 26329 26337" and header_1[54:60] == "000000"
    assert header_2[4:15] == "F0200000100" and header_2[50:52] == "00"
    assert lines[-3] == "EOF1" + header_1[4:] and lines[-2] == "EOF2" + header_2[4:]


def test_a_labelled_file_reads_back_with_its_labels_and_credits() -> None:
    content = write_payment_file([ACME], COUNCIL, date(2026, 11, 26), "R20261125-0600", LABELS)
    parsed = read_payment_file(content)
    assert parsed.labels == LABELS
    assert parsed.processing_day == date(2026, 11, 26)
    assert parsed.credits == [
        Credit(BankDetails("200000", "55779911", "ACME HOME CARE LIM"), 141326, "2611250600-P001")
    ]
    assert parsed.contra_pence == 141326
    assert (
        read_payment_file(write_payment_file([ACME], COUNCIL, date(2026, 11, 26), "R")).labels
        is None
    )


@pytest.mark.parametrize(
    ("line", "position", "change", "says"),
    [
        (0, 79, "2", "VOL1 does not follow the layout at position 80"),
        (1, 14, "1", "HDR1 does not follow the layout at position 15"),
        (1, 21, "X", "HDR1 does not follow the layout at position 22"),  # not the volume's serial
        (1, 47, "2", "HDR1 does not follow the layout at position 48"),  # another expiry date
        (2, 10, "1", "HDR2 does not follow the layout at position 11"),  # another record length
        (6, 5, "7", "EOF1 does not follow the layout at position 6"),  # another SUN
        (7, 50, " ", "EOF2 does not follow the layout at position 51"),
        (1, 41, "X", "HDR1's creation date 'X26329' is not a space and YYDDD"),
        (0, 41, "A", "service user number 'A54321' is not six digits"),
    ],
)
def test_a_label_out_of_place_is_refused_by_the_checker_naming_it(
    line: int, position: int, change: str, says: str
) -> None:
    lines = (
        write_payment_file([ACME], COUNCIL, date(2026, 11, 26), "R20261125-0600", LABELS)
        .decode()
        .split("\r\n")
    )
    lines[line] = lines[line][:position] + change + lines[line][position + 1 :]
    with pytest.raises(PaymentFileError, match=re.escape(says)):
        read_payment_file("\r\n".join(lines).encode())


def test_a_labelled_file_without_its_end_labels_is_refused() -> None:
    lines = (
        write_payment_file([ACME], COUNCIL, date(2026, 11, 26), "R20261125-0600", LABELS)
        .decode()
        .split("\r\n")
    )
    del lines[6:8]
    with pytest.raises(PaymentFileError):
        read_payment_file("\r\n".join(lines).encode())


def test_a_service_user_number_that_is_not_six_digits_writes_no_file() -> None:
    with pytest.raises(PaymentFileError, match="'12345' is not six digits"):
        write_payment_file(
            [ACME], COUNCIL, date(2026, 11, 26), "R1", Labels("12345", "250600", date(2026, 11, 25))
        )


def _line(provider: str, number: int, due: int, before: int, status: LineStatus) -> RunLine:
    return RunLine(
        provider, f"L{number}", f"SS{number}", date(2026, 11, 9) - timedelta(weeks=number % 3),
        20, 20, 0, 0, 20 if due else 0, Fraction(due, 5) if due else Fraction(0),
        due if status is not LineStatus.WITHHELD else 0, before, status,
        "X2" if status is LineStatus.HELD else "",
        AdjustmentReason.CHANGED if before else None, False,
    )  # fmt: skip


providers = st.lists(
    st.tuples(
        st.lists(
            st.tuples(
                st.integers(0, 50_000),
                st.integers(0, 50_000),
                st.sampled_from(list(LineStatus)),
            ),
            max_size=8,
        ),
        st.integers(-60_000, 20_000),  # carried in from earlier runs
        st.booleans(),  # bank details known
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60, deadline=None)
@given(providers=providers)
def test_remittances_ledger_and_payment_file_always_agree_to_the_penny(
    providers: list[tuple[list[tuple[int, int, LineStatus]], int, bool]],
) -> None:
    results = [
        ProviderResult(
            f"P{n:03d}",
            f"Provider {n}",
            [_line(f"P{n:03d}", i, due, before, status) for i, (due, before, status) in enumerate(lines)],
            carried_in_pence=carried_in,
            bank=BankDetails("200000", f"{n:08d}", f"Provider {n}") if bank else None,
        )
        for n, (lines, carried_in, bank) in enumerate(providers, start=1)
    ]  # fmt: skip
    ledger_csv = write_ledger_csv(HEADER, results, FinanceCoding())
    ledger = list(csv.DictReader(io.StringIO(ledger_csv.decode())))
    ledger_total = sum(Decimal(row["net_amount"]) for row in ledger)
    remitted = Decimal(0)
    carried_in = carried_out = Decimal(0)
    for result in results:
        rows = list(csv.DictReader(io.StringIO(write_remittance_csv(HEADER, result).decode())))
        by_section = {row["section"]: Decimal(row["net_amount"]) for row in rows}
        lines_total = sum(Decimal(r["net_amount"]) for r in rows if r["line_ref"])
        assert by_section["total net"] == lines_total  # a remittance adds up
        remitted += by_section["total net"]
        carried_in += by_section["carried in"]
        carried_out += by_section["carried forward"]
    credits = [
        Credit(r.bank, r.settlement.payment_pence, HEADER.remittance_number(r.provider_ref))
        for r in results
        if r.bank is not None and r.settlement.payment_pence > 0
    ]
    paid = Decimal(0)
    if credits:
        payment_file = write_payment_file(credits, COUNCIL, date(2026, 11, 18), "R1")
        paid = Decimal(read_payment_file(payment_file).credit_total_pence) / 100
    assert ledger_total == remitted
    assert paid == remitted + carried_in - carried_out  # nothing made or lost between runs
    assert all(r.settlement.payment_pence >= 0 for r in results)  # never a debit to a provider
    for result in results:  # and what is kept between calculation and approval is exact
        assert result_from_dict(result_to_dict(result)) == result


def test_finance_coding_codes_a_service_by_type_and_level_and_refuses_an_entry_it_cannot_read() -> (
    None
):
    coding = FinanceCoding.parse("Home Support=CC410:5210; day care/AM Session = CC420:5230\n")
    assert coding.code_of("Home Support", "Single-handed") == ("CC410", "5210")
    assert coding.code_of("Day Care", "am session") == ("CC420", "5230")
    assert coding.code_of("Day Care", "Transport") is None  # not guessed from another level
    with pytest.raises(FinanceCodingError, match="'Day Care=CC420'"):
        FinanceCoding.parse("Day Care=CC420")


def test_the_run_summary_prints_four_sections_with_everything_finance_chases() -> None:
    held = _line("P001", 1, 2000, 0, LineStatus.HELD)
    late = _line("P001", 2, 2000, 0, LineStatus.PAID)._replace(late_confirmation=True)
    results = [
        ProviderResult(
            "P001", "Acme", [held, late, _line("P001", 3, 2000, 0, LineStatus.PAID)],
            due_week=date(2026, 11, 9), unconfirmed_lines=["L4", "L5"],
            services={"L1": ("Home Support", "Single-handed")},
        )
    ]  # fmt: skip
    content = write_summary_workbook(HEADER, RunStatus.DRAFT, results, FinanceCoding())
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Summary", "Providers", "Held and late lines", "Exceptions"]
    facts = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True)}
    assert facts["Services without finance coding"] == (
        "service not known: 2 ledger lines; Home Support (Single-handed): 1 ledger line"
    )  # L2 and L3 have no service recorded
    providers = list(workbook["Providers"].iter_rows(values_only=True))
    assert providers[0][-1] == "Not Confirmed" and providers[1][-1] == "w/c 09/11/2026: L4, L5"
    listed = list(workbook["Held and late lines"].iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[4], row[5]) for row in listed] == [
        ("L1", "held", None),
        ("L2", "paid", "yes"),
    ]
