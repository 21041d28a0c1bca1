"""The demo's day centre: Meadow Day Centre (P004) works from a weekly register.

Its registers for the three weeks before were submitted in time, each with Friday's session
missed. For the week commencing 09/11/2026 its manager fills in the Monday register: a swap
(Friday's session taken on Thursday), an absence of each kind (N, W, X), and one day too many,
which is rejected (R2); corrects it and submits. That fourth Friday raises a care-monitoring
flag (F4). A register for its non-payment week (w/c 16/11) is refused. The week is paid day by
day by the Wednesday run.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from rich.console import Console

from carepay.domain.weeks import LONDON
from carepay.services.claim_workbooks import claim_workbook_key, register_csv_key
from carepay.services.payment_runs import flags_key
from carepay.spreadsheets.register_sheet import REGISTER_SHEET
from carepay_local.client import CarepayClient
from carepay_local.printing import print_submission

DAY_CENTRE = "P004"
WEEK = date(2026, 11, 9)
EARLIER_WEEKS = [WEEK - timedelta(weeks=n) for n in (3, 2, 1)]
REGISTER_HEADER = (
    "Line Ref,SS Ref,Service Level,Week Commencing,Mon,Tue,Wed,Thu,Fri,All Week,Comments,Submit"
)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


class DayCentreStory:
    def __init__(self, console: Console, council: CarepayClient, samples: Path, out: Path) -> None:
        self.console, self.council, self.samples, self.out = console, council, samples, out
        self.told: list[tuple[str, dict[str, Any]]] = []

    def imports(self) -> None:
        """Sunday night: the day centre's packages (with their Days) and its nominations."""
        packages = self.council.import_care_packages(
            self.samples / "day-centre-packages.csv", at=_at(date(2026, 11, 15), 22, 40)
        )
        nominated = self.council.import_non_payment_weeks(
            self.samples / "non-payment-weeks-2026-27.csv", at=_at(date(2026, 11, 15), 22, 45)
        )
        weeks = " and ".join(
            f"{date.fromisoformat(w):%d/%m/%Y}" for w in nominated["nominations"]["P004 2026-27"]
        )
        self.console.print(
            f"Meadow Day Centre ({DAY_CENTRE}): {packages['imported']} day-care lines (sessions, "
            f"transport, 1:1 support, each with its Days); its non-payment weeks w/c {weeks}."
        )

    def earlier_weeks(self) -> None:
        self.console.rule(f"{DAY_CENTRE}: the registers of the three weeks before, each in time")
        for monday in EARLIER_WEEKS:
            register = _register(
                monday,
                f"L4001,SS4001,AM Session,{monday:%d/%m/%Y},A,,A,,N,,Away on Fridays,Y",
            )
            feedback = self.council.upload(
                DAY_CENTRE, f"register-{monday}.csv", register, at=_at(monday + timedelta(7), 10)
            )
            self.console.print(
                f"  w/c {monday:%d/%m/%Y}: {feedback['confirmations'][0]['status']}, Friday N."
            )

    def save_monday_register(self, workbooks: Path) -> None:
        for key in (claim_workbook_key(DAY_CENTRE, WEEK), register_csv_key(DAY_CENTRE, WEEK)):
            name = Path(key).name.replace("claim-", "")
            (workbooks / f"{DAY_CENTRE}-{name}").write_bytes(self.council.read_outbound(key))

    def register_week(self) -> None:
        workbook = self.council.read_outbound(claim_workbook_key(DAY_CENTRE, WEEK))
        self.send(
            f"{DAY_CENTRE}-register-w-c-2026-11-09.xlsx",
            _filled_register(workbook, excess=True),
            _at(date(2026, 11, 16), 11),
            "Monday 11:00, Meadow fills in its register: a swap, N, W and X, one day too many",
        )
        self.send(
            f"{DAY_CENTRE}-register-corrected.xlsx",
            _filled_register(workbook, excess=False),
            _at(date(2026, 11, 16), 15),
            "Monday 15:00, Meadow corrects the PM row and submits the register",
        )
        for raised in self.council.flags(WEEK - timedelta(weeks=4)):
            flag = raised.flag
            self.console.print(
                f"  Care-monitoring flag {flag.code} on {flag.line_ref} ({flag.ss_ref}): "
                f"{flag.seen} → {flag.action}. It changes no payment."
            )

    def non_payment_week(self) -> None:
        monday = WEEK + timedelta(weeks=1)
        self.send(
            f"{DAY_CENTRE}-register-w-c-2026-11-16.csv",
            _register(monday, f"L4005,SS4002,AM Session,{monday:%d/%m/%Y},A,A,A,A,A,,,Y"),
            _at(date(2026, 11, 23), 9, 30),
            "Monday 23/11, Meadow sends a register for its non-payment week by mistake",
        )

    def send(self, name: str, content: bytes, moment: datetime, story: str) -> None:
        self.console.rule(f"{DAY_CENTRE}: {story}")
        (self.out / "uploads").mkdir(exist_ok=True)
        (self.out / "uploads" / name).write_bytes(content)
        feedback = self.council.upload(DAY_CENTRE, name, content, at=moment)
        print_submission(self.console, feedback)
        self.told.append((name, feedback))

    def save_register_and_flags(self) -> None:
        """The register as submitted (carepay register), and the flags workbook of the run."""
        registers = self.out / "registers"
        registers.mkdir(exist_ok=True)
        xlsx, register_csv = self.council.register(DAY_CENTRE, WEEK, _at(date(2026, 11, 26), 9))
        (registers / f"{DAY_CENTRE}-register-w-c-{WEEK}.xlsx").write_bytes(xlsx)
        (registers / f"{DAY_CENTRE}-register-w-c-{WEEK}.csv").write_bytes(register_csv)
        flags_dir = self.out / "flags"
        flags_dir.mkdir(exist_ok=True)
        (flags_dir / Path(flags_key(WEEK)).name).write_bytes(
            self.council.read_outbound(flags_key(WEEK))
        )


def _register(monday: date, *rows: str) -> bytes:
    return "\n".join([REGISTER_HEADER, *rows, ""]).encode()


# The manager's changes to the pre-filled register: (line, day column, code); None clears it.
WEEK_AS_IT_WAS = [
    ("L4001", "Fri", None), ("L4001", "Thu", "A"),  # a swap: Friday's session on Thursday
    ("L4002", "Wed", "X"),  # transport not to be paid on Wednesday
    ("L4003", "Tue", "W"),  # PM session missed without notice
    ("L4004", "Tue", "N"),  # 1:1 support missed with notice
]  # fmt: skip


def _filled_register(workbook: bytes, *, excess: bool) -> bytes:
    """The Monday workbook as the manager saves it: the changes typed into the Register sheet,
    and the whole register submitted (or, with `excess`, a third PM session typed by mistake)."""
    book = load_workbook(io.BytesIO(workbook))
    sheet = book[REGISTER_SHEET]
    column = {cell.value: get_column_letter(n) for n, cell in enumerate(sheet[5], start=1)}
    row_of = {sheet[f"A{row}"].value: row for row in range(6, sheet.max_row + 1)}
    for line_ref, day, code in WEEK_AS_IT_WAS:
        sheet[f"{column[day]}{row_of[line_ref]}"] = code
    sheet[f"{column['Comments']}{row_of['L4001']}"] = "Came Thursday instead of Friday"
    if excess:
        sheet[f"{column['Fri']}{row_of['L4003']}"] = "A"
    sheet["D3"] = "Y"
    saved = io.BytesIO()
    book.save(saved)
    return saved.getvalue()
