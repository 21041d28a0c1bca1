"""The standing corpus: hostile and awkward files, what each tests, and what must happen.

Every file is uploaded through the deployed template as Acme Home Care (P001) for the week
commencing 09/11/2026 (tests/corpus/test_corpus.py). Whatever the file, the provider gets an
answer (never the dead-letter queue). A file refused whole says what to do and stores nothing
but its upload's own record; a file read row by row gives the counts and codes below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.corpus import files
from tests.corpus.files import AS_PLANNED, HEADER, INJECTIONS, WEEK, csv_of, xlsx_of
from tests.spreadsheets.hostile_files import (
    bit_flipped,
    external_link,
    far_cell,
    lying_sizes,
    ods_repeated_row,
    with_macros,
    with_rows,
    xml_bomb,
    zip_bomb,
)


@dataclass(frozen=True)
class Refused:
    """Refused whole, with a message containing `says`."""

    says: str


@dataclass(frozen=True)
class Read:
    """Read row by row: so many accepted and rejected; `codes` of some rows (errors, then
    warnings); `file_says` in a file-level finding; `echoed` text that must reach the feedback
    workbook as text, never as a formula."""

    accepted: int
    rejected: int
    codes: dict[int, list[str]] = field(default_factory=dict)
    file_says: str = ""
    echoed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    build: Callable[[], bytes]
    tests: str
    expect: Refused | Read

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() else "-" for c in self.name.lower()).strip("-")[:60]


def row(
    ss_ref: str, actual: object, missed: object = None, comments: object = None
) -> list[object]:
    return [ss_ref, WEEK, actual, missed, comments]


CLAIM = files.sample("P001-claim-w-c-2026-11-09.xlsx")
REFUSED: list[Case] = [
    Case("an empty file", "claim.csv", lambda: b"", "nothing uploaded", Refused("is empty")),
    Case("only spaces and newlines", "claim.csv", lambda: b"  \n\n \r\n", "blank", Refused("is empty")),
    Case("a PDF", "claim.pdf", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "wrong kind of file",
         Refused("is not a spreadsheet")),
    Case("a PDF renamed .xlsx", "claim.xlsx", lambda: b"%PDF-1.7\x00\x01 binary", "wrong extension",
         Refused("is not a spreadsheet")),
    Case("a PNG renamed .xlsx", "claim.xlsx", lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
         "an image", Refused("is not a spreadsheet")),
    Case("a Word document renamed .xlsx", "claim.xlsx", files.docx_renamed, "a zip, not a workbook",
         Refused("could not be read as a spreadsheet")),
    Case("a Word 97 document renamed .xls", "claim.xls", lambda: files.ole2_document(b"WordDocument"),
         "an OLE2 file, not a workbook", Refused("could not be read as a spreadsheet")),
    Case("random bytes named .xlsx", "claim.xlsx", files.random_bytes, "noise",
         Refused("is not a spreadsheet")),
    Case("random bytes named .csv", "claim.csv", lambda: files.random_bytes(seed=11),
         "noise as text", Refused("is not a spreadsheet")),
    Case("a truncated xlsx", "claim.xlsx", files.truncated, "cut short in transfer",
         Refused("is damaged")),
    Case("a bit-flipped xlsx", "claim.xlsx", bit_flipped, "zlib error", Refused("is damaged")),
    Case("an xlsx whose headers lie about its CRC", "claim.xlsx", lying_sizes, "BadZipFile",
         Refused("is damaged")),
    Case("a zip bomb", "claim.xlsx", zip_bomb, "30 MB of zeros in a small file",
         Refused("far more than any claim form")),
    Case("huge shared strings", "claim.xlsx", files.huge_shared_strings, "one 50 MB string",
         Refused("far more than any claim form")),
    Case("billion laughs", "claim.xlsx", xml_bomb, "an XML entity bomb",
         Refused("XML declarations no spreadsheet program writes")),
    Case("billion laughs after a long comment", "claim.xlsx", files.xml_bomb_after_a_long_comment,
         "a DTD placed beyond the first 4 KB", Refused("XML declarations")),
    Case("external links", "claim.xlsx", external_link, "formulas fetching other workbooks",
         Refused("external links")),
    Case("a cell at XFD1048576", "claim.xlsx", lambda: far_cell("XFD1048576"),
         "a 512 GiB grid in 2 KB", Refused("far beyond any claim")),
    Case("a far cell with a lying dimension", "claim.xlsx",
         lambda: far_cell("ZZ500000", dimension="A1:E13"), "the declared extent lies",
         Refused("far beyond any claim")),
    Case("a far cell in single quotes", "claim.xlsx",
         lambda: with_rows(b"<row r='1048576'><c r='XFD1048576' t='n'><v>1</v></c></row>"),
         "the reference spelt as no program writes it", Refused("far beyond any claim")),
    Case("a far row, its cell with no reference", "claim.xlsx",
         lambda: with_rows(b'<row r="1048576"><c t="n"><v>1</v></c></row>'),
         "the cell placed by its row alone", Refused("far beyond any claim")),
    Case("an ods row repeated a million times", "claim.ods", lambda: ods_repeated_row(1_000_000),
         "number-rows-repeated", Refused("repeated thousands of times")),
    Case("a 100 MB csv", "claim.csv", files.hundred_megabytes, "judged from the S3 event",
         Refused("over the 20 MB a file may be")),
    Case("more rows than a file may have", "claim.csv",
         lambda: csv_of(HEADER, *[AS_PLANNED] * 100_200), "101k rows in 3 MB",
         Refused("more than the 100,000 rows")),
    Case("a 200,000-character line", "claim.csv",
         lambda: csv_of(HEADER, row("SS1009", 5, None, "x" * 200_000)), "csv field limit",
         Refused("more than a row of a claim can be")),
    Case("300 columns", "claim.csv", files.wide_rows, "a sheet far wider than a claim",
         Refused("columns, more than the 78")),
    Case("a header and no rows", "claim.csv", lambda: csv_of(HEADER), "nothing to read",
         Refused("no rows of actuals")),
    Case("an xlsx header and no rows", "claim.xlsx", lambda: xlsx_of(HEADER), "nothing to read",
         Refused("no rows of actuals")),
    Case("no Weekly Actual Quantity column", "claim.csv",
         lambda: csv_of(["SS Ref", "Date"], ["SS1009", WEEK]), "a required column missing",
         Refused("missing the required column 'Weekly Actual Quantity'")),
    Case("a letter, not a claim", "claim.csv",
         lambda: b"Dear council,\nPlease find our hours attached.\nKind regards\n",
         "no header anywhere", Refused("found no header row in the first 100 rows")),
    Case("a password-protected workbook", "claim.xlsx",
         lambda: files.ole2_document("EncryptionInfo".encode("utf-16-le")), "encrypted",
         Refused("is protected with a password")),
    Case("claims on two sheets", "claim.xlsx",
         lambda: files.xlsx_sheets(("Week 1", [HEADER, AS_PLANNED], "visible"),
                                   ("Week 2", [HEADER, AS_PLANNED], "visible")),
         "a second claim sheet", Refused("more than one sheet ('Week 1' and 'Week 2')")),
    Case("the claim only on a hidden sheet", "claim.xlsx",
         lambda: files.xlsx_sheets(("Cover", [["See the claim"]], "visible"),
                                   ("Claim", [HEADER, AS_PLANNED], "hidden")),
         "hidden sheets", Refused("is on the hidden sheet 'Claim'")),
    Case("one column twice", "claim.csv",
         lambda: csv_of([*HEADER, "Weekly Actual Quantity"], [*AS_PLANNED, 9]),
         "a duplicated column", Refused("'Weekly Actual Quantity' and 'Weekly Actual Quantity'")),
    Case("two aliases of one column", "claim.csv",
         lambda: csv_of([*HEADER, "Actual"], [*AS_PLANNED, 9]), "Actual beside its full name",
         Refused("'Weekly Actual Quantity' and 'Actual'")),
]  # fmt: skip

READ: list[Case] = [
    Case("UTF-16 tab-separated text from Excel", "claim.txt.csv",
         lambda: csv_of(HEADER, AS_PLANNED, encoding="utf-16", delimiter="\t"),
         "Excel's Unicode Text", Read(1, 0)),
    Case("tab-separated UTF-8", "claim.csv", lambda: csv_of(HEADER, AS_PLANNED, delimiter="\t"),
         "tabs", Read(1, 0)),
    Case("semicolons and decimal commas", "claim.csv",
         lambda: csv_of(HEADER, ["SS1003", WEEK, "4,75", "0,25", "Left early"], delimiter=";"),
         "a European locale", Read(1, 0)),
    Case("cp1252 from Excel", "claim.csv",
         lambda: csv_of(HEADER, row("SS1003", "4.75", "0.25", "Left early – £0 taxi"),
                        encoding="cp1252"), "£ and dashes", Read(1, 0)),
    Case("a zero-width space in a heading", "claim.csv",
         lambda: csv_of(["SS\u200b Ref", "Date", "Weekly Actual Quantity"], AS_PLANNED[:3]),
         "an invisible character", Read(1, 0)),
    Case("a zero-width space in an SS Ref", "claim.csv",
         lambda: csv_of(HEADER, row("SS\u200b1009", 5)), "a pasted reference", Read(1, 0)),
    Case("the header on row 40", "claim.csv",
         lambda: csv_of(*[[f"Note {n}"] for n in range(39)], HEADER, AS_PLANNED),
         "instructions above the header", Read(1, 0)),
    Case("formulas with saved results", "claim.xlsx", lambda: files.formula_actual("5"),
         "=2+3 saved as 5", Read(1, 0)),
    Case("a formula without a saved result", "claim.xlsx", lambda: files.formula_actual(None),
         "never recalculated", Read(0, 1, {2: ["V1"]}, file_says="have no saved result")),
    Case("a #DIV/0! cell", "claim.xlsx", lambda: files.error_cell("#DIV/0!"), "an error cell",
         Read(0, 1, {2: ["V1"]}, echoed=("#DIV/0!",))),
    Case("a #REF! cell", "claim.xlsx", lambda: files.error_cell("#REF!"), "a broken reference",
         Read(0, 1, {2: ["V1"]})),
    Case("NaN, inf and 1e308", "claim.csv",
         lambda: csv_of(HEADER, row("SS1001", "NaN", None, "x"), row("SS1002", "inf", None, "x"),
                        row("SS1003", "1e308", None, "x")),
         "numbers that are not quantities", Read(0, 3, {2: ["V1"], 3: ["V1"], 4: ["V1"]})),
    Case("negative and non-quarter quantities", "claim.csv",
         lambda: csv_of(HEADER, row("SS1001", -1, None, "x"), row("SS1002", "2.3", "2.7", "x")),
         "V1", Read(0, 2, {2: ["V1"], 3: ["V1", "V1"]})),
    Case("4_1 typed for 4.1", "claim.csv", lambda: csv_of(HEADER, row("SS1001", "4_1", None, "x")),
         "Decimal reads it as 41", Read(0, 1, {2: ["V1"]})),
    Case("TRUE in a quantity after 1.0", "claim.xlsx",
         lambda: xlsx_of(HEADER, ["SS1001", WEEK, 1.0, 4, "x"], ["SS1002", WEEK, True, None, "x"]),
         "True == 1 in a cache", Read(1, 1, {3: ["V1"]})),
    Case("odd dates", "claim.csv",
         lambda: csv_of(HEADER, ["SS1001", "31/02/2026", 5], ["SS1002", "next monday", 5],
                        ["SS1003", "15/11/2026", 5], ["SS1004", "1900-01-01", 5],
                        ["SS1005", "07/12/2099", 5]),
         "impossible, words, a Sunday, 1900, the future",
         Read(0, 5, {2: ["V3"], 3: ["V3"], 4: ["V3"], 5: ["V2"], 6: ["V4"]})),
    Case("RTL and emoji comments", "claim.csv",
         lambda: csv_of(HEADER, row("SS1003", 4, 1, "غادر مبكرا 👋🏽 left early")),
         "text in any script", Read(1, 0, echoed=("غادر مبكرا 👋🏽 left early",))),
    Case("formula injection in every text column", "claim.csv",
         lambda: csv_of([*HEADER, "Service", "Service Level", "Missed Reason", "Notes"],
                        *[[f"SS100{n + 1}", WEEK, 4, 1, text, text, "", text, text]
                          for n, text in enumerate(INJECTIONS)]),
         "=, +, -, @, tab, DDE", Read(len(INJECTIONS), 0, echoed=tuple(INJECTIONS))),
    Case("a names column", "claim.xlsx",
         lambda: xlsx_of(["SS Ref", "Client Full Name", "Date", "Weekly Actual Quantity"],
                         ["SS1009", "Mavis Ogbonna", WEEK, 5]),
         "names never kept nor shown", Read(1, 0, file_says="names are not needed")),
    Case("another provider's SS Ref", "claim.csv", lambda: csv_of(HEADER, row("SS2001", 6)),
         "isolation between providers", Read(0, 1, {2: ["V2"]})),
    Case("the same line-week twice", "claim.csv",
         lambda: csv_of(HEADER, AS_PLANNED, row("SS1009", 4, 1, "Left early")),
         "V2 duplicates", Read(0, 2, {2: ["V2"], 3: ["V2"]})),
    Case("macros", "claim.xlsm", with_macros, "vbaProject.bin: values only",
         Read(9, 3, file_says="never runs them")),
    Case("a quantity merged into the next person's row", "claim.xlsx",
         lambda: files.xlsx_merged("C2:C3", HEADER, AS_PLANNED, ["SS1010", WEEK, None]),
         "a merge copies nothing but a Date",
         Read(1, 1, {3: ["V1"]}, file_says="merged down over row 3")),
    Case("a date merged down a week's rows", "claim.xlsx",
         lambda: files.xlsx_merged("B2:B3", HEADER, AS_PLANNED, ["SS1010", None, 5]),
         "a Date merge fills down", Read(2, 0)),
    Case("an old claim on a hidden sheet", "claim.xlsx",
         lambda: files.xlsx_sheets(("Old", [HEADER, row("SS1009", 9, None, "x")], "hidden"),
                                   ("This week", [HEADER, AS_PLANNED], "visible")),
         "the visible sheet is read", Read(1, 0)),
    Case("control characters and a NUL", "claim.csv",
         lambda: csv_of(HEADER, row("SS1003", 4, 1, "bell\x07 form feed\x0c")),
         "cells no workbook may hold", Read(1, 0)),
    Case("a 1,001-character comment", "claim.csv",
         lambda: csv_of(HEADER, row("SS1003", 4, 1, "y" * 1001)), "over a cell's limit",
         Read(0, 1, {2: ["CELL"]})),
    Case("a free-text Missed Reason", "claim.csv",
         lambda: csv_of([*HEADER, "Missed Reason"], [*row("SS1003", 4, 1, "Cancelled"), "at GP"]),
         "not kept", Read(1, 0, {2: ["V1"]})),
    Case("numbers stored as text with spaces", "claim.xlsx",
         lambda: xlsx_of(HEADER, ["SS1003", WEEK, " 4.75 ", " 0.25", "Left early"]),
         "text numbers", Read(1, 0)),
    Case("blank rows between rows", "claim.csv",
         lambda: csv_of(HEADER, AS_PLANNED, [None] * 5, row("SS1010", 5)), "gaps", Read(2, 0)),
    Case("the demo's xls", "claim.xls", lambda: files.sample("P001-claim-w-c-2026-11-09.xls"),
         "Excel 97-2003", Read(9, 3)),
    Case("the demo's ods", "claim.ods", lambda: files.sample("P001-claim-w-c-2026-11-09.ods"),
         "LibreOffice", Read(9, 3)),
    Case("a csv named .xlsx", "claim.xlsx", lambda: csv_of(HEADER, AS_PLANNED), "wrong extension",
         Read(1, 0)),
]  # fmt: skip

CASES = REFUSED + READ
