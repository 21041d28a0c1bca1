"""Files that cannot be used get one clear file-level message, and nothing is stored."""

from __future__ import annotations

import pytest

from carepay.adapters.dynamodb.stores import SubmissionStore
from carepay.services.submissions import feedback_keys_for
from carepay_local.client import CarepayClient
from carepay_local.cloud import LocalCloud
from tests.e2e.conftest import (
    MONDAY_AFTER,
    all_items,
    csv_bytes,
    row_codes,
    stored_week,
    xlsx_bytes,
)
from tests.spreadsheets.hostile_files import (
    bit_flipped,
    external_link,
    far_cell,
    lying_sizes,
    ods_repeated_row,
    xml_bomb,
    zip_bomb,
)


def actual_items(cloud: LocalCloud) -> list[object]:
    return [item for item in all_items(cloud) if item["SK"]["S"].startswith("ACTUAL#")]


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("claim.pdf", b"%PDF-1.4\x00\x01\x02 binary", "is not a spreadsheet"),
        ("claim.csv", b"", "is empty"),
        (
            "claim.csv",
            b"SS Ref,Date\nSS1009,09/11/2026\n",
            "missing the required column 'Weekly Actual Quantity'",
        ),
        ("claim.csv", b"SS Ref,Date,Weekly Actual Quantity\n", "no rows of actuals"),
        ("claim.xlsx", b"PK\x03\x04 not really a zip", "is damaged"),
        ("claim.xlsx", xml_bomb(), "XML declarations no spreadsheet program writes"),
        ("claim.xlsx", zip_bomb(), "far more than any claim form"),
        ("claim.xlsx", external_link(), "external links"),
        ("claim.xlsx", far_cell("XFD1048576"), "has cell XFD1048576, far beyond any claim"),
        ("claim.xlsx", bit_flipped(), "is damaged"),
        ("claim.xlsx", lying_sizes(), "is damaged"),
        ("claim.ods", ods_repeated_row(1_000_000), "repeated thousands of times"),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_whole_with_a_message(
    council: CarepayClient, cloud: LocalCloud, name: str, content: bytes, says: str
) -> None:
    feedback = council.upload("P001", name, content, at=MONDAY_AFTER)
    assert feedback["file_rejected"] is True
    [finding] = feedback["file_findings"]
    assert finding["code"] == "FILE" and says in finding["message"]
    assert actual_items(cloud) == []


def test_a_names_column_is_dropped_with_a_v9_warning_and_no_name_is_ever_stored(
    council: CarepayClient, cloud: LocalCloud, store: SubmissionStore
) -> None:
    feedback = council.upload(
        "P001",
        "claim.xlsx",
        xlsx_bytes(
            ["SS Ref", "Client Name", "Date", "Weekly Actual Quantity", "Favourite Colour"],
            ["SS1009", "Mavis Ogbonna", "09/11/2026", 5, "green"],
        ),
        at=MONDAY_AFTER,
    )
    assert row_codes(feedback) == {2: ("accepted", [])}
    codes = {f["code"]: f["message"] for f in feedback["file_findings"]}
    assert "names are not needed" in codes["V9"] and "Favourite Colour" in codes["FILE"]
    assert "L1009" in stored_week(store, "P001")
    assert "Mavis" not in repr(all_items(cloud))
    assert feedback["file"] == "claim.xlsx"
    assert b"Mavis" not in council.read_outbound(feedback_keys_for(feedback["source_key"])[0])


def test_a_key_with_spaces_and_plus_signs_arrives_url_encoded_and_is_read(
    council: CarepayClient,
) -> None:
    feedback = council.upload(
        "P001",
        "w c 09+11 claim (final).csv",
        csv_bytes(["SS Ref", "Date", "Weekly Actual Quantity"], ["SS1009", "09/11/2026", 5]),
        at=MONDAY_AFTER,
    )
    assert feedback["accepted"] == 1 and feedback["file"].endswith("w c 09+11 claim (final).csv")


def test_a_file_outside_a_provider_folder_is_refused(
    council: CarepayClient, cloud: LocalCloud
) -> None:
    from carepay.adapters.aws import client

    client("s3").put_object(Bucket=council.inbound, Key="uploads/loose.csv", Body=b"SS Ref,Date\n")
    cloud.pump()
    refused = council.read_outbound("feedback/unknown-provider/loose.feedback.json")
    assert b"not in a provider's folder" in refused
    assert actual_items(cloud) == []


def test_a_file_no_reader_expected_still_gets_an_answer_saying_whom_to_send_it_to(
    council: CarepayClient, cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    import carepay.services.submissions as submissions

    def a_reader_that_trips(*_: object) -> None:
        raise RecursionError("something no test foresaw")

    monkeypatch.setattr(submissions, "read_tables", a_reader_that_trips)
    feedback = council.upload("P001", "odd.xlsx", b"PK\x03\x04 whatever", at=MONDAY_AFTER)
    assert feedback["file_rejected"] is True
    message = feedback["file_findings"][0]["message"]
    assert f"could not read {feedback['file']}" in message and feedback["upload_id"] in message
    assert "your council's provider payments team" in message
    assert actual_items(cloud) == [] and cloud.failed_invocations == []


def test_a_file_over_the_size_limit_is_answered_from_the_event_without_reading_it(
    council: CarepayClient, cloud: LocalCloud
) -> None:
    from carepay.spreadsheets.reading import MAX_FILE_BYTES

    feedback = council.upload("P001", "huge.csv", b"x" * (MAX_FILE_BYTES + 1), at=MONDAY_AFTER)
    assert feedback["file_rejected"] is True
    assert "over the 20 MB a file may be" in feedback["file_findings"][0]["message"]
    assert actual_items(cloud) == []


def test_control_characters_and_an_overlong_comment_get_row_answers_and_a_feedback_workbook(
    council: CarepayClient, cloud: LocalCloud
) -> None:
    header = ["SS Ref", "Date", "Weekly Actual Quantity", "Comments"]
    feedback = council.upload(
        "P001",
        "claim.csv",
        csv_bytes(
            header,
            ["SS1001", "09/11/2026", 3, "bell\x07 and a form feed\x0c in a comment"],
            ["SS1009", "09/11/2026", 3, "why " * 25_000],
        ),
        at=MONDAY_AFTER,
    )
    assert [row["status"] for row in feedback["rows"]] == ["accepted", "rejected"]
    assert [error["code"] for error in feedback["rows"][1]["errors"]] == ["CELL"]
    assert council.feedback_workbook(feedback).startswith(b"PK")
    assert cloud.failed_invocations == []


def test_an_import_no_reader_expected_still_gets_a_report_saying_what_to_do(
    council: CarepayClient, cloud: LocalCloud, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    from pathlib import Path

    import carepay.services.care_packages as imports

    def a_reader_that_trips(*_: object) -> None:
        raise RecursionError("something no test foresaw")

    monkeypatch.setattr(imports, "read_table", a_reader_that_trips)
    folder = Path(str(tmp_path))
    (folder / "packages.csv").write_text("Provider Ref,Line Ref\nP001,L1\n")
    (folder / "approvals.csv").write_text("Provider Ref,Line Ref\nP001,L1\n")
    for report in (
        council.import_care_packages(folder / "packages.csv"),
        council.import_approvals(folder / "approvals.csv"),
    ):
        assert report["file_rejected"] is True
        assert "could not read" in report["message"] and "Save it again" in report["message"]
    assert cloud.failed_invocations == []


def test_an_approvals_file_with_more_rows_than_a_file_may_have_is_refused_not_a_crash(
    council: CarepayClient, cloud: LocalCloud, tmp_path: object
) -> None:
    from pathlib import Path

    from carepay.spreadsheets.reading import MAX_DATA_ROWS

    approvals = Path(str(tmp_path)) / "approvals.csv"
    row = "P001,L1005,Extra,2026-11-09,1\n"
    approvals.write_text(
        "Provider Ref,Line Ref,Approval,Week Commencing,Extra Quantity\n"
        + row * (MAX_DATA_ROWS + 1)
    )
    report = council.import_approvals(approvals)
    assert report["file_rejected"] is True and "split it into smaller files" in report["message"]
    assert cloud.failed_invocations == []
