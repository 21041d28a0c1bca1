"""The template's HTTP APIs (API Gateway v2) on the local cloud.

moto's CloudFormation cannot create them and moto runs no JWT authorizer, so:

1. before the stack, each API is created through moto's API Gateway v2 API and the template
   refers to its id (as it would to the real one);
2. after it, the routes, integrations, JWT authorizer and stage are created from the API's
   OpenAPI body as the SAM transform wrote it (what API Gateway imports on a real deploy);
3. `LocalHttpApi` answers requests from what was created: it matches the route as API Gateway
   does, checks the token as a JWT authorizer does (signature against the issuer's JWKS, issuer,
   audience or client_id, expiry), and invokes the function with a payload 2.0 event.
"""

from __future__ import annotations

import base64
import json
import os
import re
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from carepay.adapters.aws import client
from carepay_local.template import Template

# A deployed function as the API reaches it (carepay_local.cloud.LocalFunction: its arn), and
# how the cloud invokes one (with its environment and under its role).
Function = Any
Invoke = Callable[[Function, dict[str, Any]], Any]

API = "AWS::ApiGatewayV2::Api"
STAGE = "AWS::ApiGatewayV2::Stage"
ANY = "x-amazon-apigateway-any-method"
UNAUTHORIZED = {"message": "Unauthorized"}


def with_http_apis_created(template: Template, stack_name: str) -> tuple[Template, dict[str, str]]:
    """Each HTTP API created empty in moto, its stage left out, and every reference (Ref or a
    ${Name} in Fn::Sub) to it replaced by the new API's id."""
    apigateway = client("apigatewayv2")
    ids: dict[str, str] = {}
    resources = dict(template["Resources"])
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == API:
            created = apigateway.create_api(Name=f"{stack_name}-{logical_id}", ProtocolType="HTTP")
            ids[logical_id] = created["ApiId"]
        if resource["Type"] in (API, STAGE):
            del resources[logical_id]
    text = json.dumps({**template, "Resources": resources})
    for logical_id, api_id in ids.items():
        text = text.replace(json.dumps({"Ref": logical_id}), json.dumps(api_id))
        text = text.replace("${" + logical_id + "}", api_id)
    loaded: Template = json.loads(text)
    return loaded, ids


def configure_http_apis(
    api_ids: dict[str, str], template: Template, resolved: Callable[[str], dict[str, Any]]
) -> None:
    """Routes, integrations, authorizers and stage, from each API's resolved OpenAPI body
    (`resolved` gives a resource's properties resolved against the deployed stack)."""
    for logical_id, api_id in api_ids.items():
        body = resolved(logical_id)["Body"]
        authorizers = _create_authorizers(api_id, body)
        for path, methods in body.get("paths", {}).items():
            for method, operation in methods.items():
                _create_route(api_id, path, method, operation, authorizers)
        for stage_id, resource in template["Resources"].items():
            if resource["Type"] == STAGE and resource["Properties"]["ApiId"] == {"Ref": logical_id}:
                _create_stage(api_id, resolved(stage_id))


def _create_authorizers(api_id: str, body: dict[str, Any]) -> dict[str, str]:
    created: dict[str, str] = {}
    schemes = body.get("components", {}).get("securitySchemes", {})
    for name, scheme in schemes.items():
        authorizer = scheme["x-amazon-apigateway-authorizer"]
        jwt = authorizer["jwtConfiguration"]
        created[name] = client("apigatewayv2").create_authorizer(
            ApiId=api_id,
            Name=name,
            AuthorizerType="JWT",
            IdentitySource=[authorizer["identitySource"]],
            JwtConfiguration={"Audience": jwt["audience"], "Issuer": jwt["issuer"]},
        )["AuthorizerId"]
    return created


def _create_route(
    api_id: str, path: str, method: str, operation: dict[str, Any], authorizers: dict[str, str]
) -> None:
    apigateway = client("apigatewayv2")
    integration = operation["x-amazon-apigateway-integration"]
    function_arn = integration["uri"].split("/functions/", 1)[1].removesuffix("/invocations")
    integration_id = apigateway.create_integration(
        ApiId=api_id,
        IntegrationType="AWS_PROXY",
        IntegrationUri=function_arn,
        PayloadFormatVersion=integration.get("payloadFormatVersion", "2.0"),
    )["IntegrationId"]
    scheme = next(iter(operation.get("security", [{}])[0]), "NONE")
    route_key = f"{'ANY' if method == ANY else method.upper()} {path}"
    authorization = (
        {"AuthorizationType": "JWT", "AuthorizerId": authorizers[scheme]}
        if scheme in authorizers
        else {"AuthorizationType": "NONE"}
    )
    apigateway.create_route(
        ApiId=api_id, RouteKey=route_key, Target=f"integrations/{integration_id}", **authorization
    )


def _create_stage(api_id: str, properties: dict[str, Any]) -> None:
    settings = properties.get("DefaultRouteSettings", {})
    client("apigatewayv2").create_stage(
        ApiId=api_id,
        StageName=properties.get("StageName", "$default"),
        AutoDeploy=bool(properties.get("AutoDeploy", True)),
        DefaultRouteSettings={
            key: settings[key]
            for key in ("ThrottlingBurstLimit", "ThrottlingRateLimit")
            if key in settings
        },
    )


@dataclass(frozen=True)
class Route:
    method: str  # GET, POST… or ANY
    path: str  # /api/{proxy+}
    function: Function
    issuer: str = ""  # a JWT authorizer's, "" for a public route
    audience: tuple[str, ...] = ()

    def match(self, method: str, path: str) -> dict[str, str] | None:
        if self.method not in ("ANY", method):
            return None
        pattern = re.sub(r"\\\{(\w+)\\\+\\\}", r"(?P<\1>.+)", re.escape(self.path))
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", pattern)
        found = re.fullmatch(pattern, path)
        if found is None:
            return None
        return found.groupdict()

    @property
    def precedence(self) -> tuple[int, int, int]:
        """API Gateway's: an exact path before one with variables, before a greedy one; a
        method before ANY."""
        return ("+}" in self.path, self.path.count("{"), self.method == "ANY")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class LocalHttpApi:
    """One deployed HTTP API, answering requests as API Gateway would (see the module's doc)."""

    def __init__(
        self,
        api_id: str,
        functions: list[Function],
        invoke: Invoke,
        account: str,
        clock: Callable[[], float] = time.time,
        failures: list[str] | None = None,
    ) -> None:
        self.api_id = api_id
        self.invoke = invoke
        self.account = account
        self.clock = clock
        self.failures = [] if failures is None else failures  # tracebacks of functions that raised
        self.routes = self._routes({function.arn: function for function in functions})
        self._keys: dict[str, Any] = {}

    def _routes(self, by_arn: dict[str, Function]) -> list[Route]:
        apigateway = client("apigatewayv2")
        routes = []
        for route in apigateway.get_routes(ApiId=self.api_id)["Items"]:
            integration_id = route["Target"].removeprefix("integrations/")
            uri = apigateway.get_integration(ApiId=self.api_id, IntegrationId=integration_id)[
                "IntegrationUri"
            ]
            method, path = route["RouteKey"].split(" ", 1)
            issuer, audience = "", ()
            if route.get("AuthorizationType") == "JWT":
                jwt = apigateway.get_authorizer(
                    ApiId=self.api_id, AuthorizerId=route["AuthorizerId"]
                )["JwtConfiguration"]
                issuer, audience = jwt["Issuer"], tuple(jwt["Audience"])
            routes.append(Route(method, path, by_arn[uri], issuer, audience))
        return sorted(routes, key=lambda r: r.precedence)

    def request(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Answer:
        url = urlsplit(target)
        for route in self.routes:
            parameters = route.match(method, url.path)
            if parameters is not None:
                break
        else:
            return _json_answer(404, {"message": "Not Found"})
        headers = {name.lower(): value for name, value in headers.items()}
        claims: dict[str, Any] | None = None
        if route.issuer:
            claims = self.verified_claims(route, headers.get("authorization", ""))
            if claims is None:
                return _json_answer(401, UNAUTHORIZED, {"www-authenticate": "Bearer"})
        event = self._event(route, method, url.path, url.query, headers, body, parameters, claims)
        try:
            response = self.invoke(route.function, event)
        except Exception:  # API Gateway answers a function's crash with a bare 500
            self.failures.append(traceback.format_exc())
            return _json_answer(500, {"message": "Internal Server Error"})
        return _answer_of(response)

    def verified_claims(self, route: Route, authorization: str) -> dict[str, Any] | None:
        """The token's claims if a JWT authorizer with this configuration would let it through."""
        from joserfc import jwt
        from joserfc.errors import JoseError

        token = authorization.removeprefix("Bearer ").strip()
        try:
            claims: dict[str, Any] = jwt.decode(
                token, self._issuer_keys(route.issuer), algorithms=["RS256"]
            ).claims
        except (JoseError, ValueError):
            return None  # not a JWT, an unknown key, or a signature that does not verify
        now = self.clock()
        audience = claims.get("aud") if "aud" in claims else claims.get("client_id")
        if (
            claims.get("iss") != route.issuer
            or audience not in route.audience
            or float(claims.get("exp", 0)) <= now
            or float(claims.get("nbf", 0)) > now
            or float(claims.get("iat", 0)) > now + 300
        ):
            return None
        return claims

    def _issuer_keys(self, issuer: str) -> Any:
        """The issuer's JWKS, fetched once, as API Gateway fetches and caches it."""
        from joserfc.jwk import KeySet

        if issuer not in self._keys:
            import requests

            url = f"{issuer}/.well-known/jwks.json"
            local = os.environ.get("AWS_ENDPOINT_URL")
            if local:  # a moto server serves every pool's keys at its own address
                url = f"{local}/{issuer.rsplit('/', 1)[1]}/.well-known/jwks.json"
            self._keys[issuer] = KeySet.import_key_set(requests.get(url, timeout=10).json())
        return self._keys[issuer]

    def _event(
        self,
        route: Route,
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        parameters: dict[str, str],
        claims: dict[str, Any] | None,
    ) -> dict[str, Any]:
        now = datetime.now(UTC)
        pairs = parse_qsl(query, keep_blank_values=True)
        query_parameters: dict[str, str] = {}
        for name, value in pairs:  # repeated names are joined with commas, as API Gateway does
            query_parameters[name] = (
                f"{query_parameters[name]},{value}" if name in query_parameters else value
            )
        context: dict[str, Any] = {
            "accountId": self.account,
            "apiId": self.api_id,
            "domainName": f"{self.api_id}.execute-api.local",
            "domainPrefix": self.api_id,
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": f"{route.method} {route.path}",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        }
        if claims is not None:  # API Gateway hands claims on as strings
            strings = {name: _claim_text(value) for name, value in claims.items()}
            context["authorizer"] = {"jwt": {"claims": strings, "scopes": None}}
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": f"{route.method} {route.path}",
            "rawPath": path,
            "rawQueryString": query,
            "headers": headers,
            "requestContext": context,
            "isBase64Encoded": False,
        }
        if query_parameters:
            event["queryStringParameters"] = query_parameters
        if parameters:
            event["pathParameters"] = parameters
        if body:
            event["body"] = body.decode()
        return event


def _claim_text(value: object) -> str:
    if isinstance(value, list):
        return "[" + " ".join(str(item) for item in value) + "]"
    return str(value)


def _json_answer(
    status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Answer:
    return Answer(
        status, {"content-type": "application/json", **(headers or {})}, json.dumps(body).encode()
    )


def _answer_of(response: Any) -> Answer:
    """A payload 2.0 response as API Gateway turns it into HTTP."""
    if not isinstance(response, dict) or "statusCode" not in response:
        return _json_answer(200, response)
    body = response.get("body") or ""
    content = base64.b64decode(body) if response.get("isBase64Encoded") else str(body).encode()
    headers = {name.lower(): str(value) for name, value in response.get("headers", {}).items()}
    return Answer(int(response["statusCode"]), headers, content)


def serve_http_api(api: LocalHttpApi, port: int = 0) -> ThreadingHTTPServer:
    """The API on 127.0.0.1 (port 0: a free one, read back from server_address)."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = api.request(self.command, self.path, dict(self.headers.items()), body)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def do_GET(self) -> None:
            self._answer()

        def do_POST(self) -> None:
            self._answer()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
