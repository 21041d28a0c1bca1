"""IAM for the local cloud, as AWS applies it to a function: every AWS call a handler makes is
turned into the actions and resources IAM would check, refused (AccessDenied) when the
function's role in template.yaml does not allow it, and recorded, so a test can name the grants
that no call ever used. moto itself enforces none of this.

Grants are identified by what the template says (function, statement, action, the resource as
written), not by resolved ARNs, so calls recorded in many deployments add up.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# A grant is (function logical id, statement Sid, action, resource as written in the template).
GrantKey = tuple[str, str, str, str]
# What Lambda's poller needs of a function's role to read its queue (checked at deployment).
POLLER_ACTIONS = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")


@dataclass(frozen=True)
class Permission:
    """One action on one resource, as IAM evaluates a request."""

    action: str
    resource: str


@dataclass(frozen=True)
class Grant:
    """One action of an Allow statement on one resource pattern."""

    function: str
    sid: str
    action: str
    resource_as_written: str
    resource: str  # resolved against the deployed stack; IAM wildcards * and ?

    @property
    def key(self) -> GrantKey:
        return (self.function, self.sid, self.action, self.resource_as_written)

    def allows(self, permission: Permission) -> bool:
        return fnmatchcase(permission.action.lower(), self.action.lower()) and fnmatchcase(
            permission.resource, self.resource
        )


def grants_of(
    function: str, statements: list[dict[str, Any]], resolved: list[dict[str, Any]]
) -> list[Grant]:
    """The Allow statements of a role's policies, written and resolved, as single grants."""
    grants = []
    for number, (written, statement) in enumerate(zip(statements, resolved, strict=True)):
        if statement.get("Effect") != "Allow":
            continue
        for action in _as_list(statement["Action"]):
            for as_written, resource in zip(
                _as_list(written["Resource"]), _as_list(statement["Resource"]), strict=True
            ):
                grants.append(
                    Grant(
                        function,
                        statement.get("Sid", f"statement {number + 1}"),
                        action,
                        json.dumps(as_written, sort_keys=True),
                        resource,
                    )
                )
    return grants


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# -- the permissions a call needs ------------------------------------------------------------------
def permissions_for(
    service: str, operation: str, params: Mapping[str, Any], region: str, account: str
) -> list[Permission]:
    """What IAM checks for one API call (the subset of AWS carepay's functions use)."""
    if service == "s3":
        return _s3(operation, params)
    if service == "dynamodb":
        return _dynamodb(operation, params, region, account)
    if service == "sqs":
        action = "SendMessage" if operation == "SendMessageBatch" else operation
        return [Permission(f"sqs:{action}", queue_arn(str(params["QueueUrl"]), region))]
    if service == "secretsmanager":
        secret = str(params["SecretId"])
        if not secret.startswith("arn:"):
            # IAM sees the secret's full ARN (name and a random suffix), which a call by name
            # does not tell: carepay's functions always name their secrets by ARN.
            secret = f"arn:aws:secretsmanager:{region}:{account}:secret:{secret}"
        return [Permission(f"secretsmanager:{operation}", secret)]
    if service == "cognito-idp" and "UserPoolId" in params:
        pool = f"arn:aws:cognito-idp:{region}:{account}:userpool/{params['UserPoolId']}"
        return [Permission(f"cognito-idp:{operation}", pool)]
    if service == "ses" and operation == "SendRawEmail":
        # SES authorises sending against the verified identity: the sender's domain here.
        domain = str(params["Source"]).rsplit("@", 1)[-1].rstrip(">")
        return [Permission("ses:SendRawEmail", f"arn:aws:ses:{region}:{account}:identity/{domain}")]
    if service == "sts" and operation == "GetCallerIdentity":
        return []  # allowed to everyone
    return [Permission(f"{service}:{operation}", "*")]


def _s3(operation: str, params: Mapping[str, Any]) -> list[Permission]:
    bucket = f"arn:aws:s3:::{params['Bucket']}"
    if operation in ("ListObjectsV2", "ListObjects"):
        return [Permission("s3:ListBucket", bucket)]
    target = f"{bucket}/{params['Key']}" if "Key" in params else bucket
    action = {"HeadObject": "GetObject"}.get(operation, operation)
    if operation in ("GetObject", "HeadObject", "DeleteObject") and params.get("VersionId"):
        action += "Version"
    return [Permission(f"s3:{action}", target)]


TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}


def _dynamodb(
    operation: str, params: Mapping[str, Any], region: str, account: str
) -> list[Permission]:
    def table(name: str, index: str | None = None) -> str:
        arn = f"arn:aws:dynamodb:{region}:{account}:table/{name}"
        return f"{arn}/index/{index}" if index else arn

    if operation in ("TransactWriteItems", "TransactGetItems"):
        return [
            Permission(f"dynamodb:{TRANSACT_ACTIONS[kind]}", table(request["TableName"]))
            for item in params["TransactItems"]
            for kind, request in item.items()
        ]
    if operation in ("BatchWriteItem", "BatchGetItem"):
        return [Permission(f"dynamodb:{operation}", table(name)) for name in params["RequestItems"]]
    return [
        Permission(f"dynamodb:{operation}", table(params["TableName"], params.get("IndexName")))
    ]


def queue_arn(queue_url: str, region: str) -> str:
    """A queue's ARN from its URL (…/{account}/{name})."""
    account, name = urlsplit(queue_url).path.strip("/").split("/")[-2:]
    return f"arn:aws:sqs:{region}:{account}:{name}"


# -- enforcing and recording ---------------------------------------------------------------------
@dataclass
class Denial:
    function: str
    operation: str
    permission: Permission


@dataclass
class CallRecorder:
    """Every deployment's grants, the grants calls used, and the calls refused, in this process."""

    grants: dict[GrantKey, Grant] = field(default_factory=dict)
    used: set[GrantKey] = field(default_factory=set)
    denied: list[Denial] = field(default_factory=list)
    _acting: threading.local = field(default_factory=threading.local)

    def register(self, grants: list[Grant]) -> None:
        for grant in grants:
            self.grants.setdefault(grant.key, grant)

    @contextmanager
    def acting_as(self, function: str, grants: list[Grant], account: str) -> Iterator[None]:
        """Calls made by this thread meanwhile are the function's, under its role."""
        _install_interceptor()
        previous = getattr(self._acting, "role", None)
        self._acting.role = (function, grants, account)
        try:
            yield
        finally:
            self._acting.role = previous

    @contextmanager
    def another_worker(self) -> Iterator[None]:
        """Calls meanwhile stand for another Lambda worker or a caller, not for the handler
        running on this thread: under no function's role (the functions they reach use theirs)."""
        previous = getattr(self._acting, "role", None)
        self._acting.role = None
        try:
            yield
        finally:
            self._acting.role = previous

    def acting_role(self) -> tuple[str, list[Grant], str] | None:
        role: tuple[str, list[Grant], str] | None = getattr(self._acting, "role", None)
        return role

    def check(self, grants: list[Grant], permission: Permission) -> bool:
        """Whether the role allows it; a grant that does is recorded as used."""
        allowing = [grant for grant in grants if grant.allows(permission)]
        self.used.update(grant.key for grant in allowing)
        return bool(allowing)

    def refuse(self, function: str, operation: str, permission: Permission) -> None:
        self.denied.append(Denial(function, operation, permission))

    def as_json(self) -> dict[str, Any]:
        return {
            "grants": [list(key) for key in sorted(self.grants)],
            "used": [list(key) for key in sorted(self.used)],
            "denied": [
                [d.function, d.operation, d.permission.action, d.permission.resource]
                for d in self.denied
            ],
        }


RECORDER = CallRecorder()
# A folder where each process that ran handlers leaves its record (the test suite, and a
# `carepay serve` it started), for least_privilege_findings to add up.
RECORDS_FOLDER = "CAREPAY_IAM_RECORDS"


def save_records(name: str) -> None:
    folder = os.environ.get(RECORDS_FOLDER)
    if folder:
        (Path(folder) / f"{name}.json").write_text(json.dumps(RECORDER.as_json()))


def access_denied(operation: str, function: str, permission: Permission) -> Exception:
    from botocore.exceptions import ClientError

    code = "AccessDenied" if permission.action.startswith("s3:") else "AccessDeniedException"
    message = (
        f"{function}'s role is not authorized to perform: {permission.action} on resource: "
        f"{permission.resource} because no identity-based policy allows the "
        f"{permission.action} action"
    )
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


_installed = threading.Lock()


def _install_interceptor() -> None:
    """Wrap botocore's one request path once: calls by a thread acting as a function are checked."""
    from botocore.client import BaseClient

    with _installed:
        original: Any = BaseClient.__dict__["_make_api_call"]
        if getattr(original, "carepay_iam", False):
            return

        def checked(client: Any, operation: str, params: dict[str, Any]) -> Any:
            acting = RECORDER.acting_role()
            if acting is None:
                return original(client, operation, params)
            return _call_as(acting, original, client, operation, params)

        checked.carepay_iam = True  # type: ignore[attr-defined]
        BaseClient._make_api_call = checked  # type: ignore[attr-defined]
        _threads_inherit_the_role()


def _threads_inherit_the_role() -> None:
    """A thread a handler starts (a ThreadPoolExecutor's worker) acts under the handler's role,
    as every thread of a Lambda invocation does."""
    started, run = threading.Thread.__init__, threading.Thread.run

    def init(thread: threading.Thread, *args: Any, **kwargs: Any) -> None:
        started(thread, *args, **kwargs)
        thread._carepay_role = RECORDER.acting_role()  # type: ignore[attr-defined]

    def run_as(thread: threading.Thread) -> None:
        role = getattr(thread, "_carepay_role", None)
        if role is None:
            run(thread)
            return
        RECORDER._acting.role = role
        run(thread)

    threading.Thread.__init__ = init  # type: ignore[method-assign,assignment]
    threading.Thread.run = run_as  # type: ignore[method-assign,assignment]


def _call_as(
    acting: tuple[str, list[Grant], str],
    original: Any,
    client: Any,
    operation: str,
    params: dict[str, Any],
) -> Any:
    function, grants, account = acting
    service = client.meta.service_model.service_name
    region = client.meta.region_name
    for permission in permissions_for(service, operation, params, region, account):
        if not RECORDER.check(grants, permission):
            RECORDER.refuse(function, operation, permission)
            raise access_denied(operation, function, permission)
    try:
        return original(client, operation, params)
    except Exception as error:
        missing = _missing_object_without_list_permission(
            function, grants, service, operation, params, error
        )
        if missing is not None:
            raise missing from error
        raise


def _missing_object_without_list_permission(
    function: str,
    grants: list[Grant],
    service: str,
    operation: str,
    params: dict[str, Any],
    error: Exception,
) -> Exception | None:
    """S3 answers 403, not 404, for a missing object to a role that may not list the bucket."""
    code = getattr(error, "response", {}).get("Error", {}).get("Code")
    if service != "s3" or code not in ("NoSuchKey", "404"):
        return None
    listing = Permission("s3:ListBucket", f"arn:aws:s3:::{params['Bucket']}")
    if RECORDER.check(grants, listing):
        return None
    RECORDER.refuse(function, operation, listing)
    return access_denied(operation, function, listing)


def least_privilege_findings(records: list[dict[str, Any]]) -> list[str]:
    """What the recorders of several processes found together: grants no call used, and calls
    refused. Empty when every grant was needed and nothing was refused."""
    grants = {tuple(key) for record in records for key in record["grants"]}
    used = {tuple(key) for record in records for key in record["used"]}
    findings = [
        f"{function} ({sid}) is granted {action} on {resource}, which no call used: remove it, "
        "or test the code path that needs it"
        for function, sid, action, resource in sorted(grants - used)
    ]
    refused = sorted({tuple(denial) for record in records for denial in record["denied"]})
    findings += [
        f"{function} called {operation}, which needs {action} on {resource}: its role does not "
        "allow it"
        for function, operation, action, resource in refused
    ]
    return findings


# -- resource policies (key, topic and bucket policies), for tests of the template ----------------
@dataclass(frozen=True)
class Request:
    """A request as a resource policy sees it: who, what, on which resource, in which context."""

    principal: Mapping[str, str]  # {"Service": "cloudwatch.amazonaws.com"} or {"AWS": arn}
    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)  # aws:SourceArn, aws:SecureTransport…


def policy_allows(document: Mapping[str, Any], request: Request) -> bool:
    """IAM's rule for one policy: an explicit Deny wins, otherwise some Allow must match."""
    matching = [s for s in document["Statement"] if _statement_matches(s, request)]
    return any(s["Effect"] == "Allow" for s in matching) and not any(
        s["Effect"] == "Deny" for s in matching
    )


def _statement_matches(statement: Mapping[str, Any], request: Request) -> bool:
    principal = statement.get("Principal", "*")
    if principal != "*" and not any(
        value == "*" or request.principal.get(kind) in _as_list(value)
        for kind, value in principal.items()
    ):
        return False
    if not any(
        fnmatchcase(request.action.lower(), a.lower()) for a in _as_list(statement["Action"])
    ):
        return False
    if not any(fnmatchcase(request.resource, r) for r in _as_list(statement["Resource"])):
        return False
    return all(
        _condition_holds(operator, key, expected, request.context)
        for operator, tests in statement.get("Condition", {}).items()
        for key, expected in tests.items()
    )


def _condition_holds(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    actual = context.get(key)
    if actual is None:
        return False  # a condition on a key the request does not carry never matches
    if operator in ("StringEquals", "ArnEquals"):
        return any(actual == str(e) for e in _as_list(expected))
    if operator == "Bool":
        return any(actual.lower() == str(e).lower() for e in _as_list(expected))
    if operator in ("StringLike", "ArnLike"):
        return any(fnmatchcase(actual, str(e)) for e in _as_list(expected))
    raise ValueError(f"condition operator {operator} is not evaluated here")
