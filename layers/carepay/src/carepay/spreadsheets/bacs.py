"""The payment file: BACS Standard 18 style, one credit per provider and a contra debit.

Layout (fixed width, one record per line, CRLF):
  UHL1 label (80)   "UHL1", space, processing day as YYDDD, the bureau fields, "1 DAILY  001"
  credit (100)      destination sort code 6, account 8, "0", transaction code "99",
                    originating sort code 6, account 8, 4 spaces, amount in pence 11,
                    service user name 18, reference 18, destination account name 18
  contra (100)      the council's own account, transaction code "17", the total of the credits
  UTL1 label (80)   "UTL1", debit total 13, credit total 13, debit count 7, credit count 7

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

    @property
    def credit_total_pence(self) -> int:
        return sum(c.amount_pence for c in self.credits)


def bacs_text(value: str, width: int = FIELD) -> str:
    """A field as BACS takes it: upper case, allowed characters only, cut and padded to width."""
    cleaned = "".join(ch if ch in BACS_CHARACTERS else " " for ch in value.upper())
    return cleaned[:width].ljust(width)


def write_payment_file(
    credits: list[Credit], originator: BankDetails, processing_day: date, run_reference: str
) -> bytes:
    if not credits:
        raise PaymentFileError("There are no credits: a payment file needs at least one payment.")
    yyddd = f"{processing_day:%y}{processing_day.timetuple().tm_yday:03d}"
    records = [_label(f"UHL1 {yyddd}999999    00000000" + "1 DAILY  001")]
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
    records.append(_label(f"UTL1{total:013d}{total:013d}{1:07d}{len(credits):07d}"))
    return ("\r\n".join(records) + "\r\n").encode("ascii")


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
    """Parse and check a payment file: every field's shape, and the trailer against the records."""
    header, data, trailer = _labels_and_records(content)
    yyddd = header[5:10]
    if not yyddd.isdigit():
        raise PaymentFileError(f"UHL1's processing day '{yyddd}' is not YYDDD")
    processing_day = date(2000 + int(yyddd[:2]), 1, 1) + timedelta(days=int(yyddd[2:]) - 1)
    credits: list[Credit] = []
    contras: list[int] = []
    for number, record in enumerate(data, start=2):
        read = _read_record(number, record)
        if isinstance(read, Credit):
            credits.append(read)
        else:
            contras.append(read)
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
    return PaymentFile(processing_day, credits, contra_total, totals)


def _labels_and_records(content: bytes) -> tuple[str, list[str], str]:
    """UHL1, the records and UTL1, each line's shape checked."""
    try:
        lines = content.decode("ascii").split("\r\n")
    except UnicodeDecodeError as exc:
        raise PaymentFileError("The file holds characters outside ASCII") from exc
    if lines[-1] != "":
        raise PaymentFileError("The file does not end with CRLF")
    lines = lines[:-1]
    if len(lines) < 4 or not lines[0].startswith("UHL1") or not lines[-1].startswith("UTL1"):
        raise PaymentFileError("A payment file starts with UHL1 and ends with UTL1")
    header, *data, trailer = lines
    if len(header) != LABEL or len(trailer) != LABEL:
        raise PaymentFileError("UHL1 and UTL1 labels are 80 characters")
    return header, data, trailer


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
