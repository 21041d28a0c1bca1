"""The payment file: BACS Standard 18 style, one credit per provider and a contra debit.

Layout (fixed width, one record per line, CRLF), in the bureau form:
  UHL1 label (80)   "UHL1", space, processing day as YYDDD, the bureau fields, "1 DAILY  001"
  credit (100)      destination sort code 6, account 8, "0", transaction code "99",
                    originating sort code 6, account 8, 4 spaces, amount in pence 11,
                    service user name 18, reference 18, destination account name 18
  contra (100)      the council's own account, transaction code "17", the total of the credits
  UTL1 label (80)   "UTL1", debit total 13, credit total 13, debit count 7, credit count 7

With a service user number (a council submitting to Bacs itself), the labelled form adds the
volume and file labels around it: VOL1, HDR1, HDR2, then the above up to the records, then EOF1,
EOF2 and UTL1. Their positions (1-based) are in `_volume_and_file_labels`.

Every field is upper case and holds only A–Z 0–9 space . & / -; names and references are cut to
18 characters. `read_payment_file` reads a file back and checks what a bureau would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from carepay.domain.finance import ACCOUNT_NUMBER, BACS_CHARACTERS, SORT_CODE, BankDetails

CREDIT = "99"
CONTRA = "17"
FIELD = 18
AMOUNT_DIGITS = 11
RECORD = 100
LABEL = 80


class PaymentFileError(ValueError):
    """A payment file that a bureau would refuse; the message names the record and field."""


@dataclass(frozen=True, slots=True)
class Labels:
    """What a labelled (direct submission) file says about itself."""

    service_user_number: str  # six digits, given to the council by Bacs through its bank
    volume_serial: str  # six letters or digits naming this submission
    created: date

    @classmethod
    def for_run(cls, service_user_number: str, run_id: str, created: date) -> Labels:
        """A run's labels: its id's last six letters and digits name the volume."""
        return cls(service_user_number, "".join(filter(str.isalnum, run_id))[-6:], created)


@dataclass(frozen=True, slots=True)
class Credit:
    bank: BankDetails
    amount_pence: int
    reference: str  # what the provider sees on their statement: the remittance number


@dataclass(frozen=True, slots=True)
class PaymentFile:
    processing_day: date
    credits: list[Credit]
    contra_pence: int
    trailer: dict[str, int] = field(default_factory=dict)
    labels: Labels | None = None  # None in the bureau form

    @property
    def credit_total_pence(self) -> int:
        return sum(c.amount_pence for c in self.credits)


def bacs_text(value: str, width: int = FIELD) -> str:
    """A field as BACS takes it: upper case, allowed characters only, cut and padded to width."""
    cleaned = "".join(ch if ch in BACS_CHARACTERS else " " for ch in value.upper())
    return cleaned[:width].ljust(width)


def write_payment_file(
    credits: list[Credit],
    originator: BankDetails,
    processing_day: date,
    run_reference: str,
    labels: Labels | None = None,
) -> bytes:
    if not credits:
        raise PaymentFileError("There are no credits: a payment file needs at least one payment.")
    records = [_label(f"UHL1{_julian(processing_day)}999999    00000000" + "1 DAILY  001")]
    total = 0
    for credit in credits:
        if credit.amount_pence <= 0:
            raise PaymentFileError(
                f"Credit to {credit.bank.account_name} is {credit.amount_pence}p: only positive "
                "amounts are paid; a recovery is carried forward."
            )
        total += credit.amount_pence
        records.append(
            _record(credit.bank, CREDIT, originator, credit.amount_pence, credit.reference)
        )
    records.append(_record(originator, CONTRA, originator, total, run_reference))
    trailer = _label(f"UTL1{total:013d}{total:013d}{1:07d}{len(credits):07d}")
    if labels is not None:
        volume, header_1, header_2, end_1, end_2 = _volume_and_file_labels(labels, processing_day)
        records = [volume, header_1, header_2, *records, end_1, end_2]
    return ("\r\n".join([*records, trailer]) + "\r\n").encode("ascii")


def _julian(day: date) -> str:
    """A date as BACS labels write it: a space, the year's last two digits, the day of the year."""
    return f" {day:%y}{day.timetuple().tm_yday:03d}"


def _volume_and_file_labels(labels: Labels, processing_day: date) -> tuple[str, ...]:
    """VOL1, HDR1, HDR2, EOF1 and EOF2 of a single-file, single-day submission.

    VOL1  1-4 "VOL1", 5-10 volume serial, 11-41 spaces, 42-47 service user number (the owner
          identification is 38-51), 48-79 spaces, 80 "1" (label standard)
    HDR1  1-4 "HDR1", 5-21 file identifier: "A", service user number, "S", 3 spaces, service
          user number; 22-27 volume serial (file set), 28-31 "0001" section, 32-35 "0001"
          sequence, 36-41 spaces (generation), 42-47 creation date, 48-53 expiry date (a week
          after processing), 54 space, 55-60 "000000" block count, 61-80 spaces
    HDR2  1-4 "HDR2", 5 "F" fixed records, 6-10 "02000" block length, 11-15 "00100" record
          length, 16-50 spaces, 51-52 "00" buffer offset, 53-80 spaces
    EOF1, EOF2  HDR1 and HDR2 from position 5
    """
    sun, serial = labels.service_user_number, labels.volume_serial
    if not (sun.isdigit() and len(sun) == 6):
        raise PaymentFileError(f"The service user number '{sun}' is not six digits")
    if not (serial.isascii() and serial.isalnum() and len(serial) == 6):
        raise PaymentFileError(f"The volume serial '{serial}' is not six letters or digits")
    expiry = processing_day + timedelta(days=7)
    file_1 = _label(
        f"A{sun}S   {sun}{serial}00010001{'':6}{_julian(labels.created)}{_julian(expiry)} 000000"
    )[:76]
    file_2 = _label(f"F0200000{RECORD}{'':35}00")[:76]
    volume = _label(f"VOL1{serial}{'':31}{sun}{'':32}1")
    return volume, f"HDR1{file_1}", f"HDR2{file_2}", f"EOF1{file_1}", f"EOF2{file_2}"


def _record(
    destination: BankDetails, code: str, originator: BankDetails, pence: int, reference: str
) -> str:
    if len(str(pence)) > AMOUNT_DIGITS:
        raise PaymentFileError(f"{pence}p does not fit the 11-digit amount field")
    record = (
        f"{destination.sort_code}{destination.account_number}0{code}"
        f"{originator.sort_code}{originator.account_number}    {pence:0{AMOUNT_DIGITS}d}"
        f"{bacs_text(originator.account_name)}{bacs_text(reference)}"
        f"{bacs_text(destination.account_name)}"
    )
    assert len(record) == RECORD
    return record


def _label(text: str) -> str:
    return text[:LABEL].ljust(LABEL)


def read_payment_file(content: bytes) -> PaymentFile:
    """Parse and check a payment file, labelled or not: every field's shape, every label's
    layout, and the trailer against the records."""
    lines = _lines(content)
    labelled = lines[0].startswith("VOL1")
    if labelled and len(lines) < 8:
        raise PaymentFileError(
            "A labelled payment file has VOL1, HDR1, HDR2, UHL1, the records, EOF1, EOF2 and UTL1"
        )
    header, *data, trailer = [*lines[3:-3], lines[-1]] if labelled else lines
    if not header.startswith("UHL1") or not trailer.startswith("UTL1"):
        raise PaymentFileError("A payment file's records come after UHL1 and before UTL1")
    if len(header) != LABEL or len(trailer) != LABEL:
        raise PaymentFileError("UHL1 and UTL1 labels are 80 characters")
    processing_day = _read_julian("UHL1's processing day", header[4:10])
    credits: list[Credit] = []
    contras: list[int] = []
    for number, record in enumerate(data, start=5 if labelled else 2):
        read = _read_record(number, record)
        if isinstance(read, Credit):
            credits.append(read)
        else:
            contras.append(read)
    totals = _checked_trailer(trailer, credits, contras)
    labels = _read_volume_and_file_labels(lines, processing_day) if labelled else None
    return PaymentFile(processing_day, credits, sum(contras), totals, labels)


def _lines(content: bytes) -> list[str]:
    try:
        lines = content.decode("ascii").split("\r\n")
    except UnicodeDecodeError as exc:
        raise PaymentFileError("The file holds characters outside ASCII") from exc
    if lines[-1] != "":
        raise PaymentFileError("The file does not end with CRLF")
    if len(lines) < 5:
        raise PaymentFileError("A payment file has UHL1, a credit, the contra and UTL1 at least")
    return lines[:-1]


def _read_julian(name: str, text: str) -> date:
    if not (text[:1] == " " and text[1:].isdigit() and len(text) == 6):
        raise PaymentFileError(f"{name} '{text}' is not a space and YYDDD")
    year = date(2000 + int(text[1:3]), 1, 1)
    day = year + timedelta(days=int(text[3:]) - 1)
    if day.year != year.year or int(text[3:]) == 0:
        raise PaymentFileError(f"{name} '{text}' is not a day of 20{text[1:3]}")
    return day


def _checked_trailer(trailer: str, credits: list[Credit], contras: list[int]) -> dict[str, int]:
    if not trailer[4:44].isdigit():
        raise PaymentFileError("UTL1's totals and counts are not digits")
    totals = {
        "debit_total": int(trailer[4:17]),
        "credit_total": int(trailer[17:30]),
        "debit_count": int(trailer[30:37]),
        "credit_count": int(trailer[37:44]),
    }
    credit_total, contra_total = sum(c.amount_pence for c in credits), sum(contras)
    if totals["credit_total"] != credit_total or totals["credit_count"] != len(credits):
        raise PaymentFileError("UTL1's credit total or count does not match the credits")
    if totals["debit_total"] != contra_total or totals["debit_count"] != len(contras):
        raise PaymentFileError("UTL1's debit total or count does not match the contra")
    if contra_total != credit_total:
        raise PaymentFileError("The contra debit does not equal the credits")
    return totals


def _read_volume_and_file_labels(lines: list[str], processing_day: date) -> Labels:
    """The labels' own fields, then every character of VOL1, HDR1, HDR2, EOF1 and EOF2 against
    the layout those fields give."""
    volume, header_1 = lines[0], lines[1]
    labels = Labels(
        volume[41:47], volume[4:10], _read_julian("HDR1's creation date", header_1[41:47])
    )
    wanted = _volume_and_file_labels(labels, processing_day)
    found = [*lines[:3], *lines[-3:-1]]
    for name, got, want in zip(
        ("VOL1", "HDR1", "HDR2", "EOF1", "EOF2"), found, wanted, strict=True
    ):
        if got != want:
            differs = (i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b)
            at = next(differs, min(len(got), LABEL))  # or where the shorter one ends
            raise PaymentFileError(
                f"{name} does not follow the layout at position {at + 1}: "
                f"'{got[at : at + 10]}' where '{want[at : at + 10]}' belongs"
            )
    return labels


def _read_record(number: int, record: str) -> Credit | int:
    """A credit, or the amount of a contra debit."""
    if len(record) != RECORD:
        raise PaymentFileError(f"Record {number} is {len(record)} characters, not {RECORD}")
    sort_code, account, code = record[0:6], record[6:14], record[15:17]
    amount = record[35:46]
    names = (record[46:64], record[64:82], record[82:100])
    if not SORT_CODE.match(sort_code) or not ACCOUNT_NUMBER.match(account):
        raise PaymentFileError(f"Record {number}: sort code or account number is not digits")
    if not amount.isdigit():
        raise PaymentFileError(f"Record {number}: amount '{amount}' is not 11 digits")
    if any(ch not in BACS_CHARACTERS for name in names for ch in name):
        raise PaymentFileError(
            f"Record {number}: a name or reference holds a character BACS refuses"
        )
    if code == CREDIT:
        bank = BankDetails(sort_code, account, names[2].rstrip())
        return Credit(bank, int(amount), names[1].rstrip())
    if code == CONTRA:
        return int(amount)
    raise PaymentFileError(f"Record {number}: transaction code {code} is not 99 or 17")
