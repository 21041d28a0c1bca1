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
