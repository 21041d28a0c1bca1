"""The provider portal through the deployed template: the HTTP API as API Gateway answers it
(routes, the Cognito JWT authorizer), PortalFunction, and real tokens from the pool.

A provider's week without anyone at the council touching a file: see the week, download the
claim, upload it, read the rejected rows, upload the corrections, confirm, see it locked."""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from carepay.adapters.aws import client
from carepay.adapters.dynamodb.audit import AuditTable
from carepay.adapters.dynamodb.table import Table
from carepay.domain.queries import QueryRefused
from carepay_local.client import CarepayClient
from carepay_local.cloud import LocalCloud
from carepay_local.http_api import LocalHttpApi
from carepay_local.portal_visit import PortalVisit
from carepay_local.presigned import UploadRefused, fetch_download, policy_of, post_upload
from tests.e2e.conftest import SAMPLES, WEEK, all_items
from tests.e2e.test_registers import PACKAGES as DAY_CENTRE_PACKAGES

MONDAY_AFTER = "2026-11-16T09:30:00+00:00"
DAY_CENTRE_WEEK = date(2026, 11, 16)


@pytest.fixture
def portal(cloud: LocalCloud, council: CarepayClient) -> LocalHttpApi:
    cloud.extra_function_env["CAREPAY_TRIAL_NOW"] = MONDAY_AFTER
    users = "Email,Provider Ref\njo@acme.example,P001\nsam@bradford.example,P002\n"
    client("s3").put_object(
        Bucket=cloud.outputs["InboundBucketName"], Key="portal-users/first.csv", Body=users
    )
    cloud.pump()
    return cloud.http_api("PortalApi")


def sign_in(cloud: LocalCloud, email: str, pool: str = "", client_id: str = "") -> PortalVisit:
    """A real token from the pool (moto's Cognito), the password set as the person would."""
    return PortalVisit(cloud, email, pool=pool, app=client_id)


def call(
    portal: LocalHttpApi, person: PortalVisit | None, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    if person is None:  # no token at all
        answer = portal.request(method, path, {}, b"")
        return answer.status, json.loads(answer.body)
    return person.call(method, path, body)


def upload(person: PortalVisit, name: str, content: bytes = b"") -> dict[str, Any]:
    """Choose a file in the portal: a presigned form, the file straight to S3, the result."""
    return person.upload("P001", name, content or (SAMPLES / name).read_bytes())


def test_a_provider_does_their_whole_week_in_the_portal(
    cloud: LocalCloud, portal: LocalHttpApi
) -> None:
    jo = sign_in(cloud, "jo@acme.example")
    status, home = call(portal, jo, "GET", "/api/home")
    assert status == 200
    assert [s["provider_ref"] for s in home["suppliers"]] == ["P001"]  # only Jo's own
    assert home["suppliers"][0]["progress"]["in_progress"] == 1  # the week just ended

    status, week = call(portal, jo, "GET", f"/api/providers/P001/weeks/{WEEK}")
    assert (status, week["status"], week["can_confirm"]) == (200, "In progress", True)
    assert len(week["lines"]) == 12 and week["preview"]["total"].startswith("£")

    status, claim = call(portal, jo, "GET", f"/api/providers/P001/weeks/{WEEK}/claim?format=xlsx")
    workbook = load_workbook(
        io.BytesIO(fetch_download(claim["url"], cloud.signer("PortalFunction")))
    )
    assert claim["file_name"] == f"claim-w-c-{WEEK}.xlsx" and "Claim" in workbook.sheetnames[0]

    answered = upload(jo, "P001-claim-w-c-2026-11-09.csv")
    first = answered["feedback"]
    assert (first["accepted"], first["rejected"]) == (9, 3)
    status, files = call(portal, jo, "GET", "/api/providers/P001/files")
    assert answered["feedback_workbook"] in {file["key"] for file in files["files"]}
    key = quote(answered["feedback_workbook"])
    status, link = call(portal, jo, "GET", f"/api/providers/P001/download?key={key}")
    feedback = load_workbook(
        io.BytesIO(fetch_download(link["url"], cloud.signer("PortalFunction")))
    )
    assert status == 200 and feedback.sheetnames
    status, week = call(portal, jo, "GET", f"/api/providers/P001/weeks/{WEEK}")
    rejected = [line["line_ref"] for line in week["lines"] if line["status"] == "Rejected"]
    assert rejected == ["L1007", "L1008"] and "Correct the rejected lines" in week["next_step"]

    corrections = (SAMPLES / "P001-corrections-w-c-2026-11-09.csv").read_text()
    without_confirm = "\n".join(row.rsplit(",", 1)[0] for row in corrections.splitlines())
    fixed = upload(jo, "corrections.csv", without_confirm.encode())["feedback"]
    assert (fixed["accepted"], fixed["rejected"]) == (2, 0)

    status, sent = call(
        portal, jo, "POST", f"/api/providers/P001/weeks/{WEEK}/confirmation", {"declaration": True}
    )
    assert status == 202 and sent["key"].startswith("confirmations/P001/")
    confirmed = jo.result(sent["result"])["feedback"]
    assert confirmed["confirmations"][0]["status"] == "confirmed"

    status, week = call(portal, jo, "GET", f"/api/providers/P001/weeks/{WEEK}")
    assert (week["status"], week["can_confirm"]) == ("Confirmed", False)
    assert {line["status"] for line in week["lines"]} == {"Confirmed"}
    status, year = call(portal, jo, "GET", "/api/providers/P001/years/2026")
    assert {"week_commencing": str(WEEK), "status": "Confirmed", "planned_lines": 12} in (
        year["weeks"]
    )
    assert cloud.failed_invocations == []


def test_every_portal_action_is_audited_with_who_what_and_when(
    cloud: LocalCloud, portal: LocalHttpApi
) -> None:
    jo = sign_in(cloud, "jo@acme.example")
    call(portal, jo, "GET", f"/api/providers/P001/weeks/{WEEK}")
    call(
        portal, jo, "POST", f"/api/providers/P001/weeks/{WEEK}/confirmation", {"declaration": True}
    )
    entries = AuditTable(Table(cloud.outputs["DataTableName"])).entries("P001")
    assert [(e.email, e.action, e.detail) for e in entries] == [
        ("jo@acme.example", "view week", f"w/c {WEEK}"),
        ("jo@acme.example", "confirm", f"w/c {WEEK}"),
    ]


def test_weeks_before_the_council_used_carepay_are_shown_but_never_late_or_confirmed_here(
    cloud: LocalCloud, portal: LocalHttpApi
) -> None:
    jo = sign_in(cloud, "jo@acme.example")  # the local stack's FirstCarepayWeek is 2026-11-09
    status, week = call(portal, jo, "GET", "/api/providers/P001/weeks/2026-11-02")
    assert (week["status"], week["can_confirm"]) == ("Claimed before carepay", False)
    path = "/api/providers/P001/weeks/2026-11-02/confirmation"
    status, refused = call(portal, jo, "POST", path, {"declaration": True})
    assert status == 400 and "before the council used carepay" in refused["message"]
    progress = call(portal, jo, "GET", "/api/home")[1]["suppliers"][0]["progress"]
    assert (progress["late"], progress["in_progress"]) == (0, 1)


def test_confirming_needs_the_declaration_ticked(cloud: LocalCloud, portal: LocalHttpApi) -> None:
    jo = sign_in(cloud, "jo@acme.example")
    path = f"/api/providers/P001/weeks/{WEEK}/confirmation"
    status, refused = call(portal, jo, "POST", path, {"declaration": False})
    assert status == 400 and "Tick the declaration" in refused["message"]


def test_the_upload_form_pins_the_providers_folder_the_size_and_the_type(
    cloud: LocalCloud, portal: LocalHttpApi
) -> None:
    jo = sign_in(cloud, "jo@acme.example")
    status, form = call(
        portal, jo, "POST", "/api/providers/P001/uploads", {"file_name": "../../P002/claim.xlsx"}
    )
    conditions = policy_of(form["fields"])["conditions"]
    assert status == 200 and form["key"].startswith("uploads/P001/")
    assert form["key"].endswith("-portal-claim.xlsx")  # the path in the name is dropped
    assert {"key": form["key"]} in conditions
    assert ["content-length-range", 1, 20 * 1024 * 1024] in conditions
    assert {
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } in (conditions)
    elsewhere = {**form["fields"], "key": "uploads/P002/claim.xlsx"}
    with pytest.raises(UploadRefused, match="key must be"):
        post_upload(form["url"], elsewhere, b"x", "claim.xlsx", cloud.signer("PortalFunction"))
    with pytest.raises(UploadRefused, match="0 bytes"):
        post_upload(form["url"], form["fields"], b"", "claim.xlsx", cloud.signer("PortalFunction"))

    status, refused = call(
        portal, jo, "POST", "/api/providers/P001/uploads", {"file_name": "notes.docx"}
    )
    assert status == 400 and ".xlsx" in refused["message"]


def provider_state(cloud: LocalCloud, provider_ref: str) -> tuple[list[Any], list[str]]:
    """A provider's items (but the audit record, which logs the attempts) and files."""
    items = [
        item
        for item in all_items(cloud)
        if item["PK"]["S"] == f"PROVIDER#{provider_ref}"
        and not item["SK"]["S"].startswith("AUDIT#")
    ]
    listed = client("s3").list_objects_v2(Bucket=cloud.outputs["InboundBucketName"])
    files = [o["Key"] for o in listed.get("Contents", []) if f"/{provider_ref}/" in o["Key"]]
    return items, files


def test_a_user_of_p001_gets_404_for_everything_of_p002_and_changes_nothing(
    cloud: LocalCloud, portal: LocalHttpApi
) -> None:
    jo, sam = sign_in(cloud, "jo@acme.example"), sign_in(cloud, "sam@bradford.example")
    asked = {"kind": "Payment query", "about": f"w/c {WEEK}", "text": "Why so little?"}
    p002_query = call(portal, sam, "POST", "/api/providers/P002/queries", asked)[1]["query_id"]
    before = provider_state(cloud, "P002")
    requests_for_p002 = [
        ("GET", f"/api/providers/P002/weeks/{WEEK}", None),
        ("GET", "/api/providers/P002/years/2026", None),
        ("GET", f"/api/providers/P002/weeks/{WEEK}/claim?format=csv", None),
        ("POST", f"/api/providers/P002/weeks/{WEEK}/confirmation", {"declaration": True}),
        ("POST", "/api/providers/P002/uploads", {"file_name": "claim.csv"}),
        ("GET", "/api/providers/P002/results?key=uploads/P002/x.csv", None),
        ("GET", "/api/providers/P002/files", None),
        ("GET", "/api/providers/P002/download?key=remittances/P002/R1.xlsx", None),
        ("GET", "/api/providers/P001/download?key=remittances/P002/R1.xlsx", None),
        ("GET", "/api/providers/P001/results?key=uploads/P002/x.csv", None),
        ("GET", f"/api/providers/P999/weeks/{WEEK}", None),
        ("GET", "/api/providers/P002/queries", None),
        (
            "POST",
            "/api/providers/P002/queries",
            {"kind": "Payment query", "about": "x", "text": "y"},
        ),
        ("POST", f"/api/providers/P001/queries/{p002_query}/replies", {"text": "mine now"}),
    ]
    for method, path, body in requests_for_p002:
        status, answer = call(portal, jo, method, path, body)
        assert (status, answer) == (404, {"message": "Not found."}), path
    assert provider_state(cloud, "P002") == before
    entries = AuditTable(Table(cloud.outputs["DataTableName"])).entries("P002")
    attempts = [entry for entry in entries if entry.email == "jo@acme.example"]
    assert len(attempts) == 10 and all(entry.detail.startswith("refused") for entry in attempts)


def test_a_token_that_api_gateway_would_refuse_gets_401(
    cloud: LocalCloud, portal: LocalHttpApi
) -> None:
    jo = sign_in(cloud, "jo@acme.example")
    assert call(portal, jo, "GET", "/api/home")[0] == 200
    assert call(portal, None, "GET", "/api/home")[0] == 401

    header, payload, signature = jo.token.split(".")
    claims = json.loads(_unpadded(payload))
    claims["sub"] = "someone-else"
    tampered = ".".join([header, _padded(json.dumps(claims)), signature])
    jo.token = tampered
    assert call(portal, jo, "GET", "/api/home")[0] == 401

    idp = client("cognito-idp")
    other_pool = idp.create_user_pool(PoolName="another", UsernameAttributes=["email"])
    other_id = other_pool["UserPool"]["Id"]
    other_client = idp.create_user_pool_client(UserPoolId=other_id, ClientName="x")
    idp.admin_create_user(UserPoolId=other_id, Username="jo@acme.example")
    outsider = sign_in(
        cloud, "jo@acme.example", other_id, other_client["UserPoolClient"]["ClientId"]
    )
    assert call(portal, outsider, "GET", "/api/home")[0] == 401

    jo = sign_in(cloud, "jo@acme.example")
    jo.api.clock = lambda: time.time() + 61 * 60  # an hour-long token, an hour and a minute on
    assert call(portal, jo, "GET", "/api/home")[0] == 401


def test_a_removed_user_is_refused_though_their_token_has_not_expired(
    cloud: LocalCloud, portal: LocalHttpApi
) -> None:
    jo = sign_in(cloud, "jo@acme.example")
    removal = "Email,Provider Ref,Status\njo@acme.example,P001,Removed\n"
    client("s3").put_object(
        Bucket=cloud.outputs["InboundBucketName"], Key="portal-users/gone.csv", Body=removal
    )
    cloud.pump()
    status, answer = call(portal, jo, "GET", "/api/home")
    assert status == 401 and "ask the council" in answer["message"]
    assert call(portal, jo, "GET", f"/api/providers/P001/weeks/{WEEK}")[0] == 401


def _unpadded(part: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _padded(text: str) -> str:
    import base64

    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def test_a_provider_downloads_the_remittance_of_a_run_that_paid_them(
    cloud: LocalCloud, portal: LocalHttpApi, council: CarepayClient
) -> None:
    jo = sign_in(cloud, "jo@acme.example")
    upload(jo, "P001-claim-w-c-2026-11-09.csv")
    run = council.pay(at=datetime(2026, 11, 18, 6, tzinfo=UTC))
    council.approve(run["run_id"], "finance officer")
    status, files = call(portal, jo, "GET", "/api/providers/P001/files")
    remittances = [file for file in files["files"] if file["kind"] == "remittance"]
    assert {file["name"] for file in remittances} == {
        f"{run['run_id']}.xlsx",
        f"{run['run_id']}.csv",
    }
    xlsx = next(file["key"] for file in remittances if file["name"].endswith(".xlsx"))
    status, link = call(portal, jo, "GET", f"/api/providers/P001/download?key={quote(xlsx)}")
    remittance = load_workbook(
        io.BytesIO(fetch_download(link["url"], cloud.signer("PortalFunction")))
    )
    assert status == 200 and remittance.sheetnames


def test_a_provider_raises_a_payment_query_that_the_council_answers_and_resolves(
    cloud: LocalCloud, portal: LocalHttpApi, council: CarepayClient
) -> None:
    jo = sign_in(cloud, "jo@acme.example")
    asked = {"kind": "Payment query", "about": f"L1007 w/c {WEEK}", "text": "Why 3 hours?"}
    status, raised = call(portal, jo, "POST", "/api/providers/P001/queries", asked)
    assert status == 201 and raised["status"] == "open"
    query_id = raised["query_id"]

    at = datetime(2026, 11, 17, 10, tzinfo=UTC)
    council.answer_query(query_id, "finance officer", "Your claim said 3 hours.", at)
    status, listed = call(portal, jo, "GET", "/api/providers/P001/queries")
    (seen,) = listed["queries"]
    assert seen["status"] == "answered"
    assert [(m["author"], m["text"]) for m in seen["messages"]] == [
        ("You", "Why 3 hours?"),
        ("Council", "Your claim said 3 hours."),  # the council, never a person's name
    ]

    path = f"/api/providers/P001/queries/{query_id}/replies"
    assert call(portal, jo, "POST", path, {"text": "Thanks, clear."})[1]["status"] == "open"
    council.queries().resolve(query_id, "finance officer", "", at)
    with pytest.raises(QueryRefused, match="already resolved"):
        council.queries().resolve(query_id, "finance officer", "", at)
    status, refused = call(portal, jo, "POST", path, {"text": "One more thing"})
    assert status == 400 and "raise a new query" in refused["message"]
    assert len(council.queries().show(query_id).messages) == 4  # every message kept


def test_a_person_chooses_whether_to_get_the_optional_emails(
    cloud: LocalCloud, portal: LocalHttpApi
) -> None:
    jo = sign_in(cloud, "jo@acme.example")
    status, settings = call(portal, jo, "GET", "/api/me/emails")
    assert (status, settings["email"], settings["optional_emails"]) == (
        200,
        "jo@acme.example",
        True,
    )
    assert (
        call(portal, jo, "PUT", "/api/me/emails", {"optional_emails": False})[1]["optional_emails"]
        is False
    )
    assert call(portal, jo, "GET", "/api/me/emails")[1]["optional_emails"] is False
    status, refused = call(portal, jo, "PUT", "/api/me/emails", {"optional_emails": "no"})
    assert status == 400 and "true or false" in refused["message"]


def test_the_page_and_its_configuration_are_public_and_the_page_allows_nothing_foreign(
    cloud: LocalCloud, portal: LocalHttpApi
) -> None:
    config = portal.request("GET", "/api/config", {}, b"")  # beats /api/{proxy+}'s authorizer
    assert config.status == 200
    assert json.loads(config.body)["client_id"] == cloud.outputs["PortalClientId"]
    page = portal.request("GET", "/", {}, b"")
    policy = page.headers["content-security-policy"]
    assert page.status == 200 and b'<script src="/static/portal.js"' in page.body
    assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and page.headers["x-content-type-options"] == "nosniff"
    assert portal.request("GET", "/static/../app.py", {}, b"").status == 404
    assert portal.request("GET", "/api/home", {}, b"").status == 401


def test_a_day_centre_downloads_its_register_uploads_it_and_submits_in_the_portal(
    cloud: LocalCloud, council: CarepayClient, tmp_path: Path
) -> None:
    # After FirstCarepayWeek (09/11/2026 on the local stack): earlier weeks were claimed the old way.
    (tmp_path / "day-centre.csv").write_text(DAY_CENTRE_PACKAGES.replace("P400", "P004"))
    assert council.import_care_packages(tmp_path / "day-centre.csv")["rejected"] == 0
    cloud.extra_function_env["CAREPAY_TRIAL_NOW"] = "2026-11-23T09:30:00+00:00"
    users = "Email,Provider Ref\nmanager@meadow.example,P004\n"
    client("s3").put_object(
        Bucket=cloud.outputs["InboundBucketName"], Key="portal-users/meadow.csv", Body=users
    )
    cloud.pump()
    manager = sign_in(cloud, "manager@meadow.example")
    week_path = f"/api/providers/P004/weeks/{DAY_CENTRE_WEEK}"
    status, week = manager.call("GET", week_path)
    assert (status, week["has_register"], week["has_claim"]) == (200, True, False)
    status, _ = manager.call("GET", f"{week_path}/claim?format=csv")
    assert status == 404  # no weekly lines, so no claim CSV: the register is the claim
    status, link = manager.call("GET", f"{week_path}/claim?format=register")
    planned = fetch_download(link["url"], cloud.signer("PortalFunction")).decode("utf-8-sig")
    assert "L403,SS400,PM Session,16/11/2026,,A,,A,,,," in planned.splitlines()
    register = planned.replace("L401,SS400,AM Session,16/11/2026,A,,A,,A,,,",
                               "L401,SS400,AM Session,16/11/2026,A,,N,A,,,Swapped Fri for Thu,")  # fmt: skip
    answered = manager.upload("P004", "register.csv", register.encode("utf-8-sig"))["feedback"]
    assert (answered["accepted"], answered["rejected"]) == (4, 0)
    confirmed = manager.confirm("P004", str(DAY_CENTRE_WEEK))["feedback"]
    assert confirmed["confirmations"][0]["status"] == "confirmed"
    status, link = manager.call("GET", f"{week_path}/claim?format=register")
    submitted = fetch_download(link["url"], cloud.signer("PortalFunction")).decode("utf-8-sig")
    assert (
        "L401,SS400,AM Session,16/11/2026,A,,N,A,,,Swapped Fri for Thu,Y" in submitted.splitlines()
    )
