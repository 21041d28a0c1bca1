"""The council's portal-users file through the deployed template: dropped in the inbound bucket,
it invites people into the portal's user pool and says who may act for which provider."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from carepay.adapters.aws import client
from carepay_local.client import CarepayClient, PortalRequestRefused
from carepay_local.cloud import LocalCloud


def import_users(cloud: LocalCloud, name: str, *rows: str) -> dict[str, Any]:
    body = ("Email,Provider Ref,Status\n" + "\n".join(rows) + "\n").encode()
    client("s3").put_object(
        Bucket=cloud.outputs["InboundBucketName"], Key=f"portal-users/{name}.csv", Body=body
    )
    cloud.pump()
    report = client("s3").get_object(
        Bucket=cloud.outputs["OutboundBucketName"], Key=f"imports/{name}.portal-users.json"
    )
    found: dict[str, Any] = json.loads(report["Body"].read())
    return found


def portal_user(cloud: LocalCloud, email: str) -> dict[str, Any]:
    pool = cloud.outputs["PortalUserPoolId"]
    return dict(client("cognito-idp").admin_get_user(UserPoolId=pool, Username=email))


def test_the_council_invites_removes_and_restores_portal_users_with_a_file(
    cloud: LocalCloud,
) -> None:
    first = import_users(cloud, "first", "jo@acme.example,P001,", "sam@bradford.example,P002,")
    assert first["invited"] == ["jo@acme.example", "sam@bradford.example"]
    assert portal_user(cloud, "jo@acme.example")["UserStatus"] == "FORCE_CHANGE_PASSWORD"

    again = import_users(cloud, "again", "jo@acme.example,P003,")
    assert (again["imported"], again["invited"]) == (1, [])  # known: only given P003

    left = import_users(cloud, "left", "sam@bradford.example,P002,Removed")
    assert left["disabled"] == ["sam@bradford.example"]
    assert portal_user(cloud, "sam@bradford.example")["Enabled"] is False

    back = import_users(cloud, "back", "sam@bradford.example,P002,")
    assert back["enabled"] == ["sam@bradford.example"]
    assert portal_user(cloud, "sam@bradford.example")["Enabled"] is True
    assert cloud.failed_invocations == []


def test_the_portals_user_pool_is_the_templates_mfa_required_and_no_self_sign_up(
    cloud: LocalCloud,
) -> None:
    pool = client("cognito-idp").describe_user_pool(UserPoolId=cloud.outputs["PortalUserPoolId"])
    settings = pool["UserPool"]
    assert settings["MfaConfiguration"] == "ON"
    assert settings["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert settings["UsernameAttributes"] == ["email"]
    assert settings["Policies"]["PasswordPolicy"]["MinimumLength"] >= 12


def test_the_council_unlocks_a_locked_account_but_not_one_with_no_provider_left(
    cloud: LocalCloud, tmp_path: Path
) -> None:
    council = CarepayClient(pump=cloud.pump, timeout_seconds=20)
    users = tmp_path / "users.csv"
    users.write_text("Email,Provider Ref\njo@acme.example,P001\nsam@bradford.example,P002\n")
    assert council.import_portal_users(users)["invited"] == [
        "jo@acme.example",
        "sam@bradford.example",
    ]
    pool = cloud.outputs["PortalUserPoolId"]
    # Jo has not signed in for 90 days: the daily check disables the account.
    client("cognito-idp").admin_disable_user(UserPoolId=pool, Username="jo@acme.example")
    council.unlock_portal_user("Jo@Acme.example")
    assert portal_user(cloud, "jo@acme.example")["Enabled"] is True

    left = tmp_path / "left.csv"
    left.write_text("Email,Provider Ref,Status\nsam@bradford.example,P002,Removed\n")
    council.import_portal_users(left)
    with pytest.raises(PortalRequestRefused, match="give them one in a portal-users file"):
        council.unlock_portal_user("sam@bradford.example")
    assert portal_user(cloud, "sam@bradford.example")["Enabled"] is False


def test_the_portal_page_signs_in_with_a_flow_its_app_client_allows_no_secret_short_tokens(
    cloud: LocalCloud,
) -> None:
    app = client("cognito-idp").describe_user_pool_client(
        UserPoolId=cloud.outputs["PortalUserPoolId"], ClientId=cloud.outputs["PortalClientId"]
    )["UserPoolClient"]
    assert "ClientSecret" not in app  # a page cannot keep a secret
    # moto signs in with any flow; Cognito refuses one the app client does not allow.
    page = (Path(__file__).resolve().parents[2] / "functions/portal/static/portal.js").read_text()
    used = set(re.findall(r'AuthFlow: "(\w+)"', page))
    assert used == {"USER_PASSWORD_AUTH"}
    assert {f"ALLOW_{flow}" for flow in used} | {"ALLOW_REFRESH_TOKEN_AUTH"} <= set(
        app["ExplicitAuthFlows"]
    )
    assert app["PreventUserExistenceErrors"] == "ENABLED"
    assert (app["AccessTokenValidity"], app["TokenValidityUnits"]["AccessToken"]) == (60, "minutes")
