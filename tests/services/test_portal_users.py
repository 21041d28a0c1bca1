"""The portal-users import on Cognito, DynamoDB and S3 in moto: the council's file decides who
may sign in and for which providers, and only the file does."""

from __future__ import annotations

import json

import pytest

from carepay.adapters.aws import client
from carepay.adapters.cognito import CognitoDirectory
from carepay.adapters.dynamodb.portal import PortalAccessTable
from carepay.adapters.dynamodb.table import Table
from carepay.services.portal_users import PortalUserImportService, portal_users_report_key
from tests.services.conftest import TABLE, Council


@pytest.fixture
def pool(council: Council) -> str:
    created = client("cognito-idp").create_user_pool(
        PoolName="carepay-portal", UsernameAttributes=["email"]
    )
    return str(created["UserPool"]["Id"])


@pytest.fixture
def access(council: Council) -> PortalAccessTable:
    return PortalAccessTable(Table(TABLE))


@pytest.fixture
def portal_users(council: Council, pool: str, access: PortalAccessTable) -> PortalUserImportService:
    return PortalUserImportService(CognitoDirectory(pool), access, council.documents)


def users_file(*rows: str) -> bytes:
    return ("Email,Provider Ref,Status\n" + "\n".join(rows) + "\n").encode()


def cognito_user(pool: str, email: str) -> dict[str, object]:
    return dict(client("cognito-idp").admin_get_user(UserPoolId=pool, Username=email))


def sub_of(pool: str, email: str) -> str:
    attributes = cognito_user(pool, email)["UserAttributes"]
    assert isinstance(attributes, list)
    return str(next(a["Value"] for a in attributes if a["Name"] == "sub"))


def test_a_new_person_is_invited_once_and_may_act_only_for_the_providers_given(
    council: Council, portal_users: PortalUserImportService, access: PortalAccessTable, pool: str
) -> None:
    file = users_file("jo@acme.example,P001,", "jo@acme.example,P003,Active", "nobody,P001,")
    report = portal_users.handle(council.arrives("portal-users/users.csv", file))
    assert (report.imported, report.rejected, report.invited) == (2, 1, ["jo@acme.example"])
    assert cognito_user(pool, "jo@acme.example")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert sorted(access.providers_of(sub_of(pool, "jo@acme.example"))) == ["P001", "P003"]
    written = json.loads(council.outbound(portal_users_report_key("portal-users/users.csv")))
    assert written["rejected_rows"][0]["row"] == 4

    again = portal_users.handle(council.arrives("portal-users/users.csv", file))
    assert again.invited == []  # the same file again: no second invitation


def test_removing_a_persons_last_provider_stops_them_signing_in_until_given_one_again(
    council: Council, portal_users: PortalUserImportService, access: PortalAccessTable, pool: str
) -> None:
    portal_users.handle(
        council.arrives("portal-users/first.csv", users_file("sam@bradford.example,P002,"))
    )
    removed = portal_users.handle(
        council.arrives("portal-users/left.csv", users_file("sam@bradford.example,P002,Removed"))
    )
    assert removed.disabled == ["sam@bradford.example"]
    assert cognito_user(pool, "sam@bradford.example")["Enabled"] is False
    assert access.providers_of(sub_of(pool, "sam@bradford.example")) == []

    back = portal_users.handle(
        council.arrives("portal-users/back.csv", users_file("sam@bradford.example,P002,"))
    )
    assert back.enabled == ["sam@bradford.example"] and back.invited == []
    assert cognito_user(pool, "sam@bradford.example")["Enabled"] is True


def test_removing_one_of_two_providers_keeps_the_person_signed_in_for_the_other(
    council: Council, portal_users: PortalUserImportService, access: PortalAccessTable, pool: str
) -> None:
    both = users_file("jo@acme.example,P001,", "jo@acme.example,P003,")
    portal_users.handle(council.arrives("portal-users/both.csv", both))
    report = portal_users.handle(
        council.arrives("portal-users/one.csv", users_file("jo@acme.example,P003,Removed"))
    )
    assert (report.access_removed, report.disabled) == (1, [])
    assert access.providers_of(sub_of(pool, "jo@acme.example")) == ["P001"]


def test_a_file_that_is_not_a_users_file_is_refused_whole_and_grants_nothing(
    council: Council, portal_users: PortalUserImportService
) -> None:
    report = portal_users.handle(
        council.arrives("portal-users/wrong.csv", b"Name,Team\nJo,Finance\n")
    )
    assert report.file_rejected and "Email" in (report.message or "")
    assert report.invited == []


def test_removing_someone_never_invited_changes_nothing(
    council: Council, portal_users: PortalUserImportService
) -> None:
    file = users_file("stranger@example.org,P001,Removed")
    report = portal_users.handle(council.arrives("portal-users/stranger.csv", file))
    assert (report.imported, report.access_removed, report.disabled) == (1, 0, [])
