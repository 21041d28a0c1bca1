"""The provider portal's HTTP API (API Gateway HTTP API, Cognito JWT authorizer in front).

API Gateway has checked the token (signature, issuer, client, expiry) before a request reaches
here; what the person may do is the service's to say, from carepay's table, by the token's sub.
The page itself (static/) is served by the same API, so it and the API share one origin.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from aws_lambda_powertools.utilities.typing import LambdaContext

from carepay.runtime import now
from carepay.runtime.portal import portal_service
from carepay.services.portal import NotFound, NotSignedUp, Refused

logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = APIGatewayHttpResolver()
STATIC = Path(__file__).parent / "static"
PAGES = {
    "index.html": "text/html; charset=utf-8",
    "portal.js": "text/javascript; charset=utf-8",
    "portal.css": "text/css; charset=utf-8",
}


def _sub() -> str:
    claims: dict[str, Any] = app.current_event.request_context.authorizer.jwt_claim or {}
    return str(claims.get("sub", ""))


def _week(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise NotFound(text) from None


def _json(model: Any) -> Response[str]:
    return Response(200, content_types.APPLICATION_JSON, model.model_dump_json())


@app.get("/api/home")
def home() -> Response[str]:
    return _json(portal_service().home(_sub(), now()))


@app.get("/api/providers/<provider_ref>/years/<year>")
def weeks(provider_ref: str, year: str) -> Response[str]:
    if not year.isdigit():
        raise NotFound(year)
    return _json(portal_service().weeks(_sub(), provider_ref, int(year), now()))


@app.get("/api/providers/<provider_ref>/weeks/<monday>")
def week(provider_ref: str, monday: str) -> Response[str]:
    return _json(portal_service().week(_sub(), provider_ref, _week(monday), now()))


@app.get("/api/providers/<provider_ref>/weeks/<monday>/claim")
def claim(provider_ref: str, monday: str) -> Response[str]:
    extension = app.current_event.get_query_string_value("format", "xlsx") or "xlsx"
    return _json(portal_service().claim(_sub(), provider_ref, _week(monday), extension, now()))


@app.post("/api/providers/<provider_ref>/weeks/<monday>/confirmation")
def confirm(provider_ref: str, monday: str) -> Response[str]:
    declared = (app.current_event.json_body or {}).get("declaration") is True
    sent = portal_service().confirm(_sub(), provider_ref, _week(monday), declared, now())
    return Response(202, content_types.APPLICATION_JSON, sent.model_dump_json())


@app.post("/api/providers/<provider_ref>/uploads")
def upload(provider_ref: str) -> Response[str]:
    file_name = str((app.current_event.json_body or {}).get("file_name", ""))
    return _json(portal_service().upload_form(_sub(), provider_ref, file_name, now()))


@app.get("/api/providers/<provider_ref>/results")
def result(provider_ref: str) -> Response[str]:
    key = app.current_event.get_query_string_value("key", "") or ""
    return _json(portal_service().result(_sub(), provider_ref, key, now()))


@app.get("/api/providers/<provider_ref>/files")
def files(provider_ref: str) -> Response[str]:
    return _json(portal_service().files(_sub(), provider_ref, now()))


@app.get("/api/providers/<provider_ref>/download")
def download(provider_ref: str) -> Response[str]:
    key = app.current_event.get_query_string_value("key", "") or ""
    return _json(portal_service().download(_sub(), provider_ref, key, now()))


@app.get("/api/providers/<provider_ref>/queries")
def queries(provider_ref: str) -> Response[str]:
    return _json(portal_service().queries(_sub(), provider_ref))


@app.post("/api/providers/<provider_ref>/queries")
def raise_query(provider_ref: str) -> Response[str]:
    asked = app.current_event.json_body or {}
    raised = portal_service().raise_query(
        _sub(),
        provider_ref,
        str(asked.get("kind", "")),
        str(asked.get("about", "")),
        str(asked.get("text", "")),
        now(),
    )
    return Response(201, content_types.APPLICATION_JSON, raised.model_dump_json())


@app.post("/api/providers/<provider_ref>/queries/<query_id>/replies")
def reply(provider_ref: str, query_id: str) -> Response[str]:
    text = str((app.current_event.json_body or {}).get("text", ""))
    return _json(portal_service().reply(_sub(), provider_ref, query_id, text, now()))


@app.get("/api/me/emails")
def email_settings() -> Response[str]:
    return _json(portal_service().email_settings(_sub()))


@app.put("/api/me/emails")
def choose_emails() -> Response[str]:
    wanted = (app.current_event.json_body or {}).get("optional_emails")
    if not isinstance(wanted, bool):
        raise Refused("Say whether you want the optional emails: optional_emails true or false.")
    return _json(portal_service().email_settings(_sub(), wanted))


@app.get("/api/config")
def config() -> Response[dict[str, str]]:
    """What the page needs to sign people in (no secret: the app client has none)."""
    return Response(
        200,
        content_types.APPLICATION_JSON,
        {
            "region": os.environ.get("AWS_REGION", ""),
            "user_pool_id": os.environ.get("PORTAL_USER_POOL_ID", ""),
            "client_id": os.environ.get("PORTAL_CLIENT_ID", ""),
            "cognito_endpoint": _cognito_endpoint(),
            "council_name": os.environ.get("COUNCIL_NAME", ""),
        },
    )


@app.get("/")
def index() -> Response[str]:
    return page("index.html")


@app.get("/static/<name>")
def page(name: str) -> Response[str]:
    if name not in PAGES:
        raise NotFound(name)
    return Response(
        200,
        PAGES[name],
        (STATIC / name).read_text(),
        headers={"Content-Security-Policy": _content_security_policy(), **SECURITY_HEADERS},
    )


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "Cache-Control": "no-cache",
}


def _cognito_endpoint() -> str:
    local = os.environ.get("AWS_ENDPOINT_URL")  # the local cloud's moto server
    return local or f"https://cognito-idp.{os.environ.get('AWS_REGION', '')}.amazonaws.com"


def _content_security_policy() -> str:
    """Scripts, styles and requests only to this origin, Cognito, and the bucket uploads go to."""
    reach = " ".join(["'self'", _cognito_endpoint(), portal_service().upload_origin()])
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src {reach}; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
    )


def not_signed_up(_: NotSignedUp) -> Response[dict[str, str]]:
    message = "You are signed in but not allowed in any provider: ask the council for access."
    return Response(401, content_types.APPLICATION_JSON, {"message": message})


def not_found(_: NotFound) -> Response[dict[str, str]]:
    return Response(404, content_types.APPLICATION_JSON, {"message": "Not found."})


def refused(reason: Refused) -> Response[dict[str, str]]:
    return Response(400, content_types.APPLICATION_JSON, {"message": str(reason)})


# Registered by call: Powertools' decorator is untyped, and would untype the functions.
app.exception_handler(NotSignedUp)(not_signed_up)
app.exception_handler(NotFound)(not_found)
app.exception_handler(Refused)(refused)


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
