"""The contracts with people and other systems (DOMAIN.md, 'Files that cross the boundary')."""

from __future__ import annotations

from carepay.spreadsheets.reading import TableSchema, normalise_header


def _aliases(columns: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {normalise_header(alias): key for key, names in columns.items() for alias in names}


ACTUALS_UPLOAD = TableSchema(
    name="Provider actuals upload",
    aliases=_aliases(
        {
            "ss_ref": ("SS Ref", "SS Reference", "SSRef"),
            "date": ("Date", "Week Commencing", "W/C", "Week Commencing Date"),
            "actual": ("Weekly Actual Quantity", "Actual", "Actual Quantity"),
            "service": ("Service",),
            "service_level": ("Service Level",),
            "line_ref": ("Line Ref", "Line Reference"),
            "planned": ("Weekly Planned Quantity", "Planned"),
            "frustrated": ("Weekly Frustrated Quantity", "Frustrated"),
            "missed": ("Weekly Missed Quantity", "Missed"),
            "extra": ("Weekly Extra Quantity", "Extra"),
            "visits": ("Weekly Number Of Visits", "Number Of Visits", "Visits"),
            "comments": ("Comments", "Comment"),
            "missed_reason": ("Missed Reason",),
            "confirm": ("Confirm", "Confirmed"),
        }
    ),
    required={"ss_ref": "SS Ref", "date": "Date", "actual": "Weekly Actual Quantity"},
    declaration_label="Confirm the whole week (Y)",
    fill_down=frozenset({"date"}),
    # Columns carepay itself writes into feedback: a corrected feedback file can come back as is.
    ignored=frozenset(
        map(normalise_header, ("Row", "Status", "Errors", "Warnings", "Exceptions", "Check"))
    ),
    personal_names=frozenset(
        map(
            normalise_header,
            (
                "Name",
                "Client Name",
                "Client",
                "Service User",
                "Service User Name",
                "Person",
                "Person Name",
                "Full Name",
                "Forename",
                "Forenames",
                "First Name",
                "Surname",
                "Last Name",
            ),
        )
    ),
)

CARE_PACKAGES = TableSchema(
    name="Care-package import",
    aliases=_aliases(
        {
            "provider_ref": ("Provider Ref",),
            "provider_name": ("Provider Name",),
            "line_ref": ("Line Ref",),
            "ss_ref": ("SS Ref",),
            "service_type": ("Service Type",),
            "service_level": ("Service Level",),
            "unit": ("Unit",),
            "planned_quantity": ("Planned Quantity",),
            "planned_visits": ("Planned Visits",),
            "unit_rate": ("Unit Rate",),
            "start_date": ("Start Date",),
            "end_date": ("End Date",),
            "status": ("Status",),
            "days": ("Days", "Planned Days"),
            "sort_code": ("Sort Code", "Bank Sort Code"),
            "account_number": ("Account Number", "Bank Account Number"),
            "account_name": ("Account Name", "Bank Account Name"),
        }
    ),
    required={
        "provider_ref": "Provider Ref",
        "line_ref": "Line Ref",
        "ss_ref": "SS Ref",
        "service_type": "Service Type",
        "service_level": "Service Level",
        "unit": "Unit",
        "planned_quantity": "Planned Quantity",
        "unit_rate": "Unit Rate",
        "start_date": "Start Date",
    },
    personal_names=ACTUALS_UPLOAD.personal_names,
)

APPROVALS = TableSchema(
    name="Approvals file",
    aliases=_aliases(
        {
            "provider_ref": ("Provider Ref",),
            "line_ref": ("Line Ref",),
            "ss_ref": ("SS Ref",),
            "approval": ("Approval", "Approval Type", "Type"),
            "week_commencing": ("Week Commencing", "Date", "W/C"),
            "extra_quantity": ("Extra Quantity", "Approved Extra Quantity", "Extra"),
            "up_to": ("Up To", "Approved Up To", "Up To Date"),
            "approved_by": ("Approved By",),
            "reference": ("Reference", "Approval Reference"),
        }
    ),
    required={"provider_ref": "Provider Ref", "line_ref": "Line Ref", "approval": "Approval"},
    personal_names=ACTUALS_UPLOAD.personal_names,
)

PORTAL_USERS = TableSchema(
    name="Portal users file",
    aliases=_aliases(
        {
            "email": ("Email", "Email Address", "E-mail"),
            "provider_ref": ("Provider Ref", "Provider Reference"),
            "status": ("Status",),
        }
    ),
    required={"email": "Email", "provider_ref": "Provider Ref"},
)


REGISTER_UPLOAD = TableSchema(
    name="Day-care register",
    aliases=_aliases(
        {
            "line_ref": ("Line Ref", "Line Reference"),
            "ss_ref": ("SS Ref", "SS Reference", "SSRef"),
            "service_level": ("Service Level",),
            "date": ("Week Commencing", "Date", "W/C"),
            **{
                f"day_{index}": (short, long)
                for index, (short, long) in enumerate(
                    zip(
                        ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
                        (
                            "Monday",
                            "Tuesday",
                            "Wednesday",
                            "Thursday",
                            "Friday",
                            "Saturday",
                            "Sunday",
                        ),
                        strict=True,
                    )
                )
            },
            "all_week": ("All Week", "Absent All Week"),
            "comments": ("Comments", "Comment"),
            "submit": ("Submit", "Submitted", "Confirm"),
        }
    ),
    # Mon tells a register from weekly actuals (which require Weekly Actual Quantity instead).
    required={"ss_ref": "SS Ref", "date": "Week Commencing", "day_0": "Mon"},
    declaration_label="Submit the whole register (Y)",
    fill_down=frozenset({"date"}),
    ignored=ACTUALS_UPLOAD.ignored
    | frozenset(map(normalise_header, ("Paid Days", "Planned Days"))),
    personal_names=ACTUALS_UPLOAD.personal_names,
)

NON_PAYMENT_WEEKS = TableSchema(
    name="Non-payment weeks file",
    aliases=_aliases(
        {
            "provider_ref": ("Provider Ref", "Provider Reference"),
            "financial_year": ("Financial Year", "Year"),
            "week_commencing": ("Week Commencing", "W/C"),
        }
    ),
    required={
        "provider_ref": "Provider Ref",
        "financial_year": "Financial Year",
        "week_commencing": "Week Commencing",
    },
)


def is_register(headers: list[str]) -> bool:
    """A claim file is a day-care register when it has day columns (Mon … Sun) and no weekly
    Actual column: it is read as a register, not as weekly actuals."""
    register_keys = {REGISTER_UPLOAD.key_for(header) for header in headers}
    actuals_keys = {ACTUALS_UPLOAD.key_for(header) for header in headers}
    days = sum(1 for key in register_keys if key and key.startswith("day_"))
    return days >= 5 and "actual" not in actuals_keys
