"""Outbound keys built from the names providers give their files stay keys S3 and people can use."""

from __future__ import annotations

from carepay.services.submissions import SubmissionKey, feedback_keys_for


def test_dot_segments_in_a_file_name_never_reach_an_outbound_key() -> None:
    json_key, xlsx_key = feedback_keys_for("uploads/P001/../../finance/R1/claim.csv")
    assert json_key == "feedback/P001/finance/R1/claim.feedback.json"
    assert ".." not in xlsx_key and "//" not in xlsx_key


def test_a_name_as_long_as_s3_allows_gives_a_feedback_key_within_s3s_limit_and_unique() -> None:
    first = SubmissionKey.parse("uploads/P001/" + "a" * 1000 + ".csv").feedback_key("xlsx")
    second = SubmissionKey.parse("uploads/P001/" + "a" * 999 + "b.csv").feedback_key("xlsx")
    assert len(first.encode()) < 1024 and len(second.encode()) < 1024
    assert first != second


def test_a_name_in_another_script_is_cut_on_a_character_not_inside_one() -> None:
    key = SubmissionKey.parse("uploads/P001/" + "ملف" * 200 + ".csv").feedback_key("json")
    assert len(key.encode()) < 1024
    key.encode().decode()  # still valid UTF-8
