"""The validation rules V1–V10 and exceptions X1–X4 that the worked examples do not reach."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from carepay.domain.actuals import (
    LineWeekActuals,
    StoredLineWeek,
    rejected_reports,
    validate_rows,
)
from carepay.domain.approvals import Approvals, FrustratedApproval
from carepay.domain.confirmation import confirm_week
from carepay.domain.payment import line_week_payment
from carepay.domain.service_lines import ServiceType
from carepay.domain.weeks import LONDON
from tests.domain.builders import (
    AFTER_THE_WEEK,
    PROVIDER,
    WEEK,
    claim_row,
    context_for,
    line_version,
    plan_of,
)


def stored_week(
    line_ref: str, monday: date, *, frustrated: int = 0, confirmed: bool = False, paid: bool = False
) -> StoredLineWeek:
    actuals = LineWeekActuals(
        provider_ref=PROVIDER,
        line_ref=line_ref,
        ss_ref="SS100",
        week_commencing=monday,
        planned_quarters=20,
        actual_quarters=20 - frustrated,
        frustrated_quarters=frustrated,
        confirmed_at=AFTER_THE_WEEK if confirmed else None,
    )
    return StoredLineWeek(actuals=actuals, paid=paid)


def test_v2_another_providers_person_gets_the_same_message_as_an_unknown_one() -> None:
    plan = plan_of(line_version(), line_version("L9", "SS900", provider_ref="P999"))
    theirs, unknown = validate_rows(
        [claim_row(ss_ref="SS900"), claim_row(ss_ref="SS404")], context_for(plan)
    )
    assert theirs.errors[0].code == unknown.errors[0].code == "V2"
    assert theirs.errors[0].message.replace("SS900", "X") == unknown.errors[0].message.replace(
        "SS404", "X"
    )
    assert "report it to the council" in theirs.errors[0].message


def test_v2_two_lines_for_one_person_need_a_service_level_to_tell_them_apart() -> None:
    plan = plan_of(line_version("L1"), line_version("L2", service_level="Double-handed"))
    ambiguous, chosen = validate_rows(
        [claim_row(), claim_row(service_level="double-handed")], context_for(plan)
    )
    assert ambiguous.errors[0].code == "V2" and "Service Level" in ambiguous.errors[0].message
    assert chosen.accepted and chosen.line_week is not None and chosen.line_week.line_ref == "L2"


def test_v2_a_line_ref_of_another_person_is_not_matched() -> None:
    [outcome] = validate_rows([claim_row(line_ref="L1", ss_ref="SS101")], context_for())
    assert [e.code for e in outcome.errors] == ["V2"]


def test_v2_a_line_that_does_not_cover_the_week_is_not_matched() -> None:
    plan = plan_of(line_version(end=date(2023, 1, 8)))
    [outcome] = validate_rows([claim_row()], context_for(plan))
    assert [e.code for e in outcome.errors] == ["V2"]


def test_v3_dates_are_read_in_every_accepted_form() -> None:
    forms = [
        "2023-01-09",
        "2023/01/09",
        "09/01/2023",
        date(2023, 1, 9),
        datetime(2023, 1, 9),  # noqa: DTZ001 - a spreadsheet's date cell has no time zone
        44935.0,
    ]
    for form in forms:
        [outcome] = validate_rows([claim_row(week=form)], context_for())
        assert outcome.accepted and outcome.week == WEEK, (form, outcome.errors)


def test_v3_a_day_other_than_monday_is_rejected_with_the_monday_suggested() -> None:
    [outcome] = validate_rows([claim_row(week="11/01/2023")], context_for())
    assert outcome.errors[0].code == "V3"
    assert "Wednesday" in outcome.errors[0].message and "09/01/2023" in outcome.errors[0].message


@pytest.mark.parametrize("blank", [None, "", "   ", "\u200b "])
def test_v3_a_date_left_blank_is_rejected_asking_for_the_monday(blank: object) -> None:
    [outcome] = validate_rows([claim_row(week=blank)], context_for())
    assert [(f.code, f.message) for f in outcome.errors] == [
        ("V3", "Date is empty: enter the Monday of the week.")
    ]


def test_v3_an_unreadable_date_is_rejected() -> None:
    [outcome] = validate_rows([claim_row(week="Jan 9th")], context_for())
    assert outcome.errors[0].code == "V3"


def test_v4_actuals_for_a_week_still_in_progress_are_rejected() -> None:
    sunday_evening = datetime(2023, 1, 15, 23, 30, tzinfo=LONDON)
    [outcome] = validate_rows([claim_row()], context_for(at=sunday_evening))
    assert [e.code for e in outcome.errors] == ["V4"]


def test_v4_is_judged_in_london_time_not_utc() -> None:
    # 00:30 on Monday in London during summer time is still Sunday (23:30) in UTC.
    plan = plan_of()
    monday_after = datetime(2023, 7, 16, 23, 30, tzinfo=LONDON)
    just_after_midnight = datetime(2023, 7, 17, 0, 30, tzinfo=LONDON)
    rows = [claim_row(week="2023-07-10")]
    assert not validate_rows(rows, context_for(plan, at=monday_after))[0].accepted
    assert validate_rows(rows, context_for(plan, at=just_after_midnight))[0].accepted


def test_v7_a_paid_line_week_is_locked() -> None:
    stored = {("L1", WEEK): stored_week("L1", WEEK, paid=True)}
    [outcome] = validate_rows([claim_row()], context_for(stored=stored))
    assert outcome.errors[0].code == "V7"
    assert "payment has already been processed" in outcome.errors[0].message


def test_v7_a_confirmed_line_week_is_locked() -> None:
    stored = {("L1", WEEK): stored_week("L1", WEEK, confirmed=True)}
    [outcome] = validate_rows([claim_row()], context_for(stored=stored))
    assert outcome.errors[0].code == "V7" and "contact the council" in outcome.errors[0].message


def test_v7_confirming_a_week_whose_lines_were_paid_is_refused() -> None:
    stored = {("L1", WEEK): stored_week("L1", WEEK, paid=True)}
    confirmation = confirm_week(PROVIDER, WEEK, plan_of(), stored, AFTER_THE_WEEK)
    assert confirmation.refused and confirmation.findings[0].code == "V7"


def test_v7_a_backdated_line_added_to_a_confirmed_week_starts_unconfirmed() -> None:
    plan = plan_of(line_version("L1"), line_version("L2", "SS200", start=date(2023, 1, 2)))
    stored = {("L1", WEEK): stored_week("L1", WEEK, confirmed=True)}
    confirmation = confirm_week(PROVIDER, WEEK, plan, stored, AFTER_THE_WEEK)
    assert [lw.line_ref for lw in confirmation.confirmed] == ["L2"]
    assert confirmation.already_confirmed == ["L1"]


def test_v8_a_changed_planned_figure_or_visit_count_is_a_warning_and_the_plan_is_kept() -> None:
    [outcome] = validate_rows([claim_row(planned="6", visits="9")], context_for())
    assert outcome.accepted
    assert [w.code for w in outcome.warnings] == ["V8", "V8"]
    assert outcome.line_week is not None
    assert (outcome.line_week.planned_quarters, outcome.line_week.planned_visits) == (20, 5)


def test_x4_extra_on_one_to_one_residential_support_is_rejected() -> None:
    plan = plan_of(line_version(service_type=ServiceType.ONE_TO_ONE_RESIDENTIAL))
    [outcome] = validate_rows([claim_row("7", extra="2", comments="busy week")], context_for(plan))
    assert [e.code for e in outcome.errors] == ["X4"]


def test_rows_for_the_same_line_and_week_are_both_rejected() -> None:
    first, second = validate_rows([claim_row(row_number=2), claim_row(row_number=3)], context_for())
    assert not first.accepted and not second.accepted
    assert "Rows 2, 3" in first.errors[0].message


def test_e14_a_long_hospital_stay_holds_frustrated_hours_from_the_seventh_week() -> None:
    mondays = [WEEK + timedelta(weeks=n) for n in range(8)]
    at = datetime.combine(mondays[-1] + timedelta(days=7), datetime.min.time(), tzinfo=LONDON)
    rows = [
        claim_row(
            "0", frustrated="5", comments="In hospital", week=monday.isoformat(), row_number=n + 2
        )
        for n, monday in enumerate(mondays)
    ]
    outcomes = validate_rows(rows, context_for(at=at))
    assert [("X3" in [f.code for f in o.exceptions]) for o in outcomes] == [False] * 6 + [True] * 2
    line = plan_of().line_for_week("L1", mondays[7])
    assert line is not None and outcomes[7].line_week is not None
    held = line_week_payment(outcomes[7].line_week, line, Approvals())
    assert (held.amount_pence, held.hold_reason) == (0, "X3")
    approvals = Approvals.of(frustrated=[FrustratedApproval("L1", mondays[7])])
    assert line_week_payment(outcomes[7].line_week, line, approvals).amount_pence == 10000


def test_e14_earlier_stored_weeks_count_towards_the_run() -> None:
    stored = {
        ("L1", WEEK - timedelta(weeks=n)): stored_week(
            "L1", WEEK - timedelta(weeks=n), frustrated=20
        )
        for n in range(1, 7)
    }
    [outcome] = validate_rows(
        [claim_row("0", frustrated="5", comments="In hospital")], context_for(stored=stored)
    )
    assert "X3" in [f.code for f in outcome.exceptions]


def test_e12_a_confirmation_after_tuesday_five_pm_is_accepted_and_marked_late() -> None:
    on_time = datetime(2023, 1, 17, 16, 59, tzinfo=LONDON)
    late = datetime(2023, 1, 17, 18, 0, tzinfo=LONDON)
    assert not confirm_week(PROVIDER, WEEK, plan_of(), {}, on_time).late
    late_confirmation = confirm_week(PROVIDER, WEEK, plan_of(), {}, late)
    assert late_confirmation.late and not late_confirmation.refused
    assert late_confirmation.confirmed[0].late_confirmation


def test_a_comment_longer_than_a_cell_may_be_rejects_the_row_and_its_week_is_still_known() -> None:
    """100,000 characters once passed every check, was reported accepted, and DynamoDB refused
    the item: the row is rejected with what to do instead."""
    [outcome] = validate_rows([claim_row("3", comments="why " * 25_000)], context_for())
    assert not outcome.accepted and outcome.line_week is None
    [too_long] = outcome.errors
    assert too_long.code == "CELL" and too_long.column == "Comments"
    assert "holds 100,000 characters, more than the 1,000 a cell may" in too_long.message
    assert outcome.week == WEEK  # so a Confirm for that week in the file is refused


def test_a_comment_of_a_thousand_characters_is_kept_whole() -> None:
    [outcome] = validate_rows([claim_row("3", comments="x" * 1_000)], context_for())
    assert outcome.accepted and outcome.line_week is not None
    assert len(outcome.line_week.comments) == 1_000


def rejected_l1(row: object = "3") -> StoredLineWeek:
    """L1's latest report: 3 h of 5 with no comment, rejected (V5)."""
    [outcome] = validate_rows([claim_row(row, row_number=7)], context_for())
    [report] = rejected_reports([outcome], "upload-1", "claim.csv", AFTER_THE_WEEK)
    return StoredLineWeek(rejected=report)


def test_v10_a_week_whose_latest_row_for_a_line_was_rejected_is_not_confirmed_and_is_named() -> (
    None
):
    plan = plan_of(line_version("L1"), line_version("L2", "SS200"))
    stored = {("L1", WEEK): rejected_l1()}
    confirmation = confirm_week(PROVIDER, WEEK, plan, stored, AFTER_THE_WEEK)
    assert confirmation.refused and confirmation.confirmed == []
    [finding] = confirmation.findings
    assert finding.code == "V10" and "L1 (SS100, row 7 of claim.csv)" in finding.message
    assert "would pay the plan instead of what you reported" in finding.message


def test_v10_a_file_correcting_the_rejected_line_can_confirm_the_week() -> None:
    [corrected] = validate_rows([claim_row("3", comments="Refused a visit")], context_for())
    assert corrected.line_week is not None
    stored = {("L1", WEEK): rejected_l1()}
    confirmation = confirm_week(
        PROVIDER, WEEK, plan_of(), stored, AFTER_THE_WEEK, {"L1": corrected.line_week}
    )
    assert not confirmation.refused
    assert [lw.actual_quarters for lw in confirmation.confirmed] == [12]


def test_v10_a_rejected_row_naming_no_line_or_a_locked_week_is_not_a_latest_report() -> None:
    stored = {("L1", WEEK): stored_week("L1", WEEK, confirmed=True)}
    outcomes = [
        *validate_rows([claim_row("3")], context_for(stored=stored)),  # locked: V7
        *validate_rows([claim_row("5", ss_ref="SS999")], context_for()),  # no such line: V2
        *validate_rows([claim_row("5", week="not a date")], context_for()),  # no week: V3
    ]
    assert [o.errors[0].code for o in outcomes] == ["V7", "V2", "V3"]
    assert rejected_reports(outcomes, "upload-1", "claim.csv", AFTER_THE_WEEK) == []


def test_v1_4_underscore_1_is_not_read_as_41_hours() -> None:
    [outcome] = validate_rows([claim_row("4_1", comments="typo")], context_for())
    assert [e.code for e in outcome.errors] == ["V1"] and "'4_1' is not" in outcome.errors[
        0
    ].message


def test_v1_true_is_not_an_hour_even_after_a_cell_of_1_0_was_read() -> None:
    from carepay.domain.actuals import quarters_in_cell

    assert quarters_in_cell(1.0) == 4 and quarters_in_cell(1) == 4
    [outcome] = validate_rows([claim_row(True)], context_for())
    assert [e.code for e in outcome.errors] == ["V1"]


def test_an_ss_ref_with_an_invisible_character_pasted_in_matches_its_person() -> None:
    [outcome] = validate_rows([claim_row("5", ss_ref="SS\u200b100\u200e")], context_for())
    assert outcome.accepted and outcome.line_week is not None
    assert outcome.line_week.ss_ref == "SS100"


def test_a_missed_reason_from_the_list_is_kept_as_listed_and_free_text_is_not_kept() -> None:
    def reason_of(written: str) -> tuple[str, list[str]]:
        row = claim_row("4", missed="1", comments="Cancelled", missed_reason=written)
        [outcome] = validate_rows([row], context_for())
        assert outcome.accepted and outcome.line_week is not None
        return outcome.line_week.missed_reason, [w.message for w in outcome.warnings]

    assert reason_of("notice  GIVEN") == ("Notice given", [])
    kept, [warned] = reason_of("Mavis was at her GP's")
    assert kept == "" and "Missed Reason must be one of: Notice given" in warned
    assert "Mavis" not in warned


def test_a_row_accepted_and_a_row_rejected_for_one_line_week_are_both_rejected_once() -> None:
    """Which row is the line-week's latest report? Neither can say: both rejected (V2), and one
    report is kept (one item per line-week in a commit)."""
    rows = [claim_row("5", row_number=2), claim_row("3", row_number=3)]  # row 3 lacks a comment
    outcomes = validate_rows(rows, context_for())
    assert [[e.code for e in o.errors] for o in outcomes] == [["V2"], ["V5", "V2"]]
    [report] = rejected_reports(outcomes, "upload-1", "claim.csv", AFTER_THE_WEEK)
    assert (report.line_ref, report.row_number) == ("L1", 3)
