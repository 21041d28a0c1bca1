"""The council's portal-users file: who may sign in, for which provider; every row answered."""

from __future__ import annotations

from carepay.domain.portal_users import PortalAccess, read_portal_users
from carepay.domain.rows import SheetRow


def rows(*cells: tuple[str, str, str]) -> list[SheetRow]:
    return [
        SheetRow(number, {"email": email, "provider_ref": ref, "status": status})
        for number, (email, ref, status) in enumerate(cells, start=2)
    ]


def test_a_person_is_given_a_provider_or_has_it_taken_away_by_the_status() -> None:
    read = read_portal_users(
        rows(
            ("Jo.Bloggs@Acme.example ", "P001", ""),
            ("jo.bloggs@acme.example", "P003", "Active"),
            ("sam@bradford.example", "P002", "Removed"),
        )
    )
    assert read.changes == [
        PortalAccess("jo.bloggs@acme.example", "P001"),
        PortalAccess("jo.bloggs@acme.example", "P003"),
        PortalAccess("sam@bradford.example", "P002", removed=True),
    ]
    assert read.rejected == [] and read.people == ["jo.bloggs@acme.example", "sam@bradford.example"]


def test_a_row_that_cannot_be_acted_on_says_what_to_change() -> None:
    read = read_portal_users(
        rows(
            ("not an address", "P001", ""),
            ("jo@acme.example", "", ""),
            ("jo@acme.example", "P001", "Suspended"),
        )
    )
    assert read.changes == []
    messages = {row: [f.message for f in findings] for row, findings in read.rejected}
    assert messages == {
        2: ["Email 'not an address' is not an email address."],
        3: ["Provider Ref is empty."],
        4: [
            "Status 'Suspended' is not 'Active' (or empty) to give access, or 'Removed' to take "
            "it away."
        ],
    }


def test_one_person_and_provider_named_twice_is_refused_both_times() -> None:
    """The file must not say two things about one person's access to one provider."""
    read = read_portal_users(
        rows(("jo@acme.example", "P001", ""), ("JO@acme.example", "P001", "Removed"))
    )
    assert read.changes == []
    assert [row for row, _ in read.rejected] == [2, 3]
    assert "also on row 3" in read.rejected[0][1][0].message
