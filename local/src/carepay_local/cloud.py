"""An embedded local cloud: template.yaml deployed into moto, events routed to the real handlers.

1. The template goes through the SAM transform (aws-sam-translator) and into moto's
   CloudFormation, so tables, buckets, queues, roles, functions and event source mappings are
   the template's own, with the environment each function gets from it.
2. moto's CloudFormation silently skips some properties; `apply_skipped_properties` applies
   them from the same template (bucket notifications, bucket and queue policies, versioning,
   public access blocks, point-in-time recovery, alarms).
3. moto cannot run Lambda code without Docker, so its own queue pollers are switched off and
   `pump` plays Lambda's part: it polls each mapped queue and calls the handler in-process
   with the function's environment, deleting what succeeded and leaving failures to be
   redelivered and, after maxReceiveCount, dead-lettered — as the real service does.
4. moto enforces no IAM: each handler runs under its role from the template
   (`carepay_local.iam`), so a call the role does not allow is refused as AWS would refuse it.
"""

from __future__ import annotations

import importlib.util
import io
import json
import logging
import os
import re
import secrets
import sys
import threading
import time
import traceback
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote_plus

from carepay.adapters.aws import client, forget_clients
from carepay.runtime import forget_services
from carepay_local.fake_sheets import FakeSheets, fake_service_account, serve_fake_sheets
from carepay_local.http_api import LocalHttpApi, configure_http_apis, with_http_apis_created
from carepay_local.iam import POLLER_ACTIONS, RECORDER, Grant, Permission, grants_of
from carepay_local.schedules import cron_matches
from carepay_local.template import (
    Resolver,
    Template,
    load_template,
    sam_transform,
    with_code_in_bucket,
)

REGION: Final = "eu-west-2"
STACK_NAME = "carepay"
ARTIFACTS_BUCKET = "carepay-local-artifacts"
# A trial stack: simulated times allowed, and a made-up council account so payment files are
# written (never a real account: a real deployment sets its own).
LOCAL_PARAMETERS = {
    "TrialMode": "true",
    # Mail from a made-up council domain, verified in moto's SES (a council verifies its own).
    "MailFrom": "carepay@example-council.gov.uk",
    "MailIdentity": "example-council.gov.uk",
    "FinanceEmail": "finance@example-council.gov.uk",
    # The samples' first week: the portal counts from it (earlier weeks were claimed elsewhere).
    "FirstCarepayWeek": "2026-11-09",
    "CouncilSortCode": "12-34-56",
    "CouncilAccountNumber": "12345678",
    "CouncilAccountName": "Example Council",
    # A made-up service user number: the demo's payment file carries Bacs's labels.
    "BacsServiceUserNumber": "654321",
    # 1:1 at residential and nursing homes left out on purpose: the summary reports it uncoded.
    "FinanceCoding": "Home Support=CC410:5210; Support at Day Care=CC420:5220; Day Care=CC420:5230",
}
# Resource types with properties moto's CloudFormation skips; apply_skipped_properties sets them.
# Bucket policies without their TLS-only denies: moto judges policies without the request's
# context, so aws:SecureTransport would refuse every request; tests check those in the template.
SKIPPED_BY_MOTO_CLOUDFORMATION = frozenset(
    {
        "AWS::S3::Bucket",
        "AWS::SQS::QueuePolicy",
        "AWS::DynamoDB::Table",
        "AWS::CloudWatch::Alarm",
        "AWS::Scheduler::Schedule",
        "AWS::Lambda::Url",  # not created at all: the local cloud creates it, and fills the output
        "AWS::S3::BucketPolicy",  # only its Allow statements, see _apply_bucket_policy
    }
)
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"
# Environment every local invocation gets: no X-Ray daemon here, and the SDK would otherwise
# create a client at import.
LOCAL_RUNTIME_ENV = {"POWERTOOLS_TRACE_DISABLED": "1", "AWS_LAMBDA_RUNTIME_API": ""}


def project_root() -> Path:
    """The folder holding template.yaml: the working tree, or where the package was installed from."""
    for candidate in (Path.cwd(), *Path(__file__).resolve().parents):
        if (candidate / "template.yaml").is_file() and (candidate / "functions").is_dir():
            return candidate
    raise FileNotFoundError("template.yaml not found: run carepay from the project folder")


@dataclass
class LocalFunction:
    logical_id: str
    name: str
    arn: str
    handler: str
    code_dir: Path
    environment: dict[str, str]
    timeout: int
    memory: int

    def load_handler(self) -> Callable[[dict[str, Any], Any], Any]:
        module_file, _, attribute = self.handler.rpartition(".")
        module_name = f"carepay_function_{self.logical_id}"
        module = sys.modules.get(module_name)
        if module is None:
            spec = importlib.util.spec_from_file_location(
                module_name, self.code_dir / f"{module_file}.py"
            )
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        handler: Callable[[dict[str, Any], Any], Any] = getattr(module, attribute)
        return handler


Invoker = Callable[["LocalFunction", dict[str, Any], dict[str, str], "LocalLambdaContext"], Any]


@dataclass
class QueueTrigger:
    """An event source mapping: this queue's messages go to this function."""

    uuid: str
    queue_url: str
    queue_arn: str
    function: LocalFunction
    batch_size: int
    reports_item_failures: bool


@dataclass
class LocalLambdaContext:
    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_seconds: int
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self._started)) * 1000))


@contextmanager
def quiet_local_cloud() -> Iterator[None]:
    """moto warns about every resource type its CloudFormation cannot create; the local cloud
    applies those itself, so the warnings are noise for someone running the demo."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logger = logging.getLogger("moto")
        level = logger.level
        logger.setLevel(logging.ERROR)
        try:
            yield
        finally:
            logger.setLevel(level)


@contextmanager
def environment(variables: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class LocalCloud:
    """The stack deployed into moto (in-process, or a moto server at AWS_ENDPOINT_URL)."""

    def __init__(
        self,
        root: Path | None = None,
        stack_name: str = STACK_NAME,
        parameters: dict[str, str] | None = None,
        extra_function_env: dict[str, str] | None = None,
    ) -> None:
        self.root = root or project_root()
        self.stack_name = stack_name
        self.parameters = {**LOCAL_PARAMETERS, **(parameters or {})}
        self.extra_function_env = extra_function_env or {}
        self.template: Template = {}
        self.resolver: Resolver | None = None
        self.physical_ids: dict[str, str] = {}
        self.outputs: dict[str, str] = {}
        self.functions: dict[str, LocalFunction] = {}
        self.triggers: list[QueueTrigger] = []
        self.invocations: list[tuple[str, dict[str, Any]]] = []
        self.failed_invocations: list[str] = []  # tracebacks of handlers that raised
        self.failures: list[str] = []  # the same, each in a line a person reads (`carepay serve`)
        self.secret_arns: dict[str, str] = {}  # logical id → ARN of the secrets created here
        self.cognito_ids: dict[
            str, str
        ] = {}  # logical id → id of each pool and app client created here
        self.user_pool_arns: dict[str, str] = {}
        self.http_api_ids: dict[str, str] = {}  # logical id → id of each HTTP API created here
        self.grants: dict[str, list[Grant]] = {}  # function logical id → what its role allows
        # Runs a handler: in this process unless set (tests run some in a layer-only venv).
        self.invoker: Invoker | None = None
        self.account = ""
        self.google: FakeSheets = FakeSheets()
        self.google_server: ThreadingHTTPServer | None = None
        self.service_account: dict[str, str] = {}
        self._invoking = threading.RLock()  # handlers share this process's environment

    # -- deploy --------------------------------------------------------------------------------
    def deploy(self) -> LocalCloud:
        os.environ.setdefault("AWS_DEFAULT_REGION", REGION)
        forget_clients()
        forget_services()
        code_dirs = self._upload_artifacts()
        self.template = sam_transform(
            with_code_in_bucket(load_template(self.root / "template.yaml"), ARTIFACTS_BUCKET),
            self.parameters,
            REGION,
        )
        cloudformation = client("cloudformation")
        _moto_reads_json_templates_as_json()
        cloudformation.create_stack(
            StackName=self.stack_name,
            TemplateBody=json.dumps(_without_outputs_moto_cannot_resolve(self._for_moto())),
            Parameters=[
                {"ParameterKey": k, "ParameterValue": v} for k, v in self.parameters.items()
            ],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
        )
        stack = cloudformation.describe_stacks(StackName=self.stack_name)["Stacks"][0]
        if stack["StackStatus"] != "CREATE_COMPLETE":
            raise RuntimeError(
                f"stack {self.stack_name}: {stack['StackStatus']} {stack.get('StackStatusReason')}"
            )
        self.outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        summaries = cloudformation.get_paginator("list_stack_resources").paginate(
            StackName=self.stack_name
        )
        self.physical_ids = (
            {
                r["LogicalResourceId"]: r["PhysicalResourceId"]
                for page in summaries
                for r in page["StackResourceSummaries"]
            }
            | self.secret_arns
            | self.cognito_ids
            | self.http_api_ids
        )  # created here, not by moto's CloudFormation: a secret's Ref is its ARN
        pseudo = self._pseudo_parameters()
        self.account = pseudo["AWS::AccountId"]
        self.resolver = Resolver(
            self.parameters_with_defaults(),
            pseudo,
            self.physical_ids,
            self._attributes(),
            self.template.get("Conditions", {}),
        )
        self._discover_functions(code_dirs)
        self._load_roles()
        configure_http_apis(self.http_api_ids, self.template, self.resolved_properties)
        # Before notifications are set: S3's test events must not reach moto's own pollers.
        self._take_over_queue_polling()
        _s3_events_name_the_version()
        self.apply_skipped_properties()
        self._fake_google()
        return self

    def http_api(self, logical_id: str, clock: Callable[[], float] = time.time) -> LocalHttpApi:
        """One of the template's HTTP APIs, answering as API Gateway would (carepay_local.http_api);
        a function that raises is in failed_invocations, as for the queues."""
        return LocalHttpApi(
            self.http_api_ids[logical_id],
            list(self.functions.values()),
            self.invoke,
            self.account,
            clock,
            self.failed_invocations,
        )

    def signer(self, logical_id: str) -> tuple[str, list[Grant], str]:
        """A function as the signer of its presigned requests: S3 judges them by its role."""
        return logical_id, self.grants.get(logical_id, []), self.account

    def _for_moto(self) -> Template:
        """The template as moto's CloudFormation can create it: what it cannot create (secrets,
        user pools, HTTP APIs) created here first, and referred to by their ids. The SES
        identity mail is sent from is the council's, verified outside the stack: here too."""
        identity = self.parameters_with_defaults().get("MailIdentity")
        if identity:
            client("ses").verify_domain_identity(Domain=identity)
        created = self._with_user_pools_created(self._with_secrets_created(self.template))
        without_apis, self.http_api_ids = with_http_apis_created(created, self.stack_name)
        return without_apis

    def _fake_google(self) -> None:
        """Google's APIs for the functions: the local fake, on 127.0.0.1, and a made-up service
        account key in the stack's secret (as a council puts its real one there)."""
        self.google = FakeSheets()
        self.google_server = serve_fake_sheets(self.google)
        host, port = self.google_server.server_address[:2]
        self.extra_function_env.setdefault("GOOGLE_API_ENDPOINT", f"http://{host!s}:{port}")
        self.service_account = fake_service_account()
        secret = self.secret_arns.get("SheetsServiceAccountSecret")
        if secret:
            client("secretsmanager").put_secret_value(
                SecretId=secret, SecretString=json.dumps(self.service_account)
            )

    def close(self) -> None:
        if self.google_server is not None:
            self.google_server.shutdown()
            self.google_server.server_close()
            self.google_server = None

    def post_to_function_url(
        self, logical_id: str, path: str, body: bytes, headers: dict[str, str]
    ) -> dict[str, Any]:
        """An HTTPS request to a function's URL, as Lambda hands it to the function (payload 2.0)."""
        function = self.functions[logical_id]
        now = datetime.now(UTC)
        event = {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": path,
            "rawQueryString": "",
            "headers": {k.lower(): v for k, v in headers.items()},
            "requestContext": {
                "accountId": "anonymous",
                "apiId": function.name,
                "domainName": f"{function.name}.lambda-url.{REGION}.on.aws",
                "domainPrefix": function.name,
                "http": {
                    "method": "POST",
                    "path": path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": "127.0.0.1",
                    "userAgent": headers.get("User-Agent", "Google-Apps-Script"),
                },
                "requestId": str(uuid.uuid4()),
                "routeKey": "$default",
                "stage": "$default",
                "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "timeEpoch": int(now.timestamp() * 1000),
            },
            "body": body.decode(),
            "isBase64Encoded": False,
        }
        response: dict[str, Any] = self.invoke(function, event)
        return response

    def _with_secrets_created(self, template: Template) -> Template:
        """moto's CloudFormation cannot create Secrets Manager secrets: create them here, as
        CloudFormation would (a generated string, or the template's), and refer to them."""
        secrets_manager = client("secretsmanager")
        created: dict[str, str] = {}
        resources = dict(template["Resources"])
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] != "AWS::SecretsManager::Secret":
                continue
            properties = resource.get("Properties", {})
            value = properties.get("SecretString")
            if value is None:
                length = properties.get("GenerateSecretString", {}).get("PasswordLength", 32)
                value = secrets.token_urlsafe(length)[:length]
            created[logical_id] = secrets_manager.create_secret(
                Name=f"{self.stack_name}-{logical_id}", SecretString=value
            )["ARN"]
            del resources[logical_id]
        self.secret_arns = created
        text = json.dumps({**template, "Resources": resources})
        for logical_id, arn in created.items():
            text = text.replace(json.dumps({"Ref": logical_id}), json.dumps(arn))
        loaded: Template = json.loads(text)
        return loaded

    def _with_user_pools_created(self, template: Template) -> Template:
        """moto's CloudFormation cannot create Cognito user pools: create each through moto's
        Cognito API with the template's own properties, and refer to it by its id and ARN."""
        cognito = client("cognito-idp")
        resources = dict(template["Resources"])
        text_replacements: dict[str, str] = {}
        before_the_stack = Resolver(
            self.parameters_with_defaults(),
            self._pseudo_parameters(),
            {},
            {},
            template.get("Conditions", {}),
        )
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] != "AWS::Cognito::UserPool":
                continue
            properties = before_the_stack.resolve(resource.get("Properties", {}))
            pool = cognito.create_user_pool(**_user_pool_api_shape(properties))["UserPool"]
            if "SOFTWARE_TOKEN_MFA" in properties.get("EnabledMfas", []):
                cognito.set_user_pool_mfa_config(
                    UserPoolId=pool["Id"],
                    SoftwareTokenMfaConfiguration={"Enabled": True},
                    MfaConfiguration=properties.get("MfaConfiguration", "OFF"),
                )
            self.cognito_ids[logical_id] = pool["Id"]
            self.user_pool_arns[logical_id] = pool["Arn"]
            text_replacements[json.dumps({"Ref": logical_id})] = json.dumps(pool["Id"])
            getatt = json.dumps({"Fn::GetAtt": [logical_id, "Arn"]})
            text_replacements[getatt] = json.dumps(pool["Arn"])
            del resources[logical_id]
        text = json.dumps({**template, "Resources": resources})
        for reference, value in text_replacements.items():
            text = text.replace(reference, value)
        loaded: Template = json.loads(text)
        return self._with_user_pool_clients_created(loaded, before_the_stack)

    def _with_user_pool_clients_created(self, template: Template, resolver: Resolver) -> Template:
        """The pools' app clients, created the same way (their UserPoolId is the pool's id by
        now), and referred to by their client id."""
        cognito = client("cognito-idp")
        resources = dict(template["Resources"])
        for logical_id, resource in template["Resources"].items():
            if resource["Type"] != "AWS::Cognito::UserPoolClient":
                continue
            properties = resolver.resolve(resource.get("Properties", {}))
            created = cognito.create_user_pool_client(**properties)["UserPoolClient"]
            self.cognito_ids[logical_id] = created["ClientId"]
            del resources[logical_id]
        text = json.dumps({**template, "Resources": resources})
        for logical_id in template["Resources"].keys() - resources.keys():
            text = text.replace(
                json.dumps({"Ref": logical_id}), json.dumps(self.cognito_ids[logical_id])
            )
        loaded: Template = json.loads(text)
        return loaded

    def parameters_with_defaults(self) -> dict[str, str]:
        declared = self.template.get("Parameters", {})
        values = {name: str(spec.get("Default", "")) for name, spec in declared.items()}
        return values | self.parameters

    def _pseudo_parameters(self) -> dict[str, str]:
        return {
            "AWS::StackName": self.stack_name,
            "AWS::Region": REGION,
            "AWS::AccountId": client("sts").get_caller_identity()["Account"],
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }

    def _attributes(self) -> dict[tuple[str, str], str]:
        """The Fn::GetAtt values the template uses, read back from the deployed resources."""
        attributes: dict[tuple[str, str], str] = {}
        sqs = client("sqs")
        for logical_id, resource in self.template["Resources"].items():
            physical = self.physical_ids.get(logical_id, "")
            kind = resource["Type"]
            if kind == "AWS::SQS::Queue":
                arn = sqs.get_queue_attributes(QueueUrl=physical, AttributeNames=["QueueArn"])[
                    "Attributes"
                ]["QueueArn"]
                attributes[(logical_id, "Arn")] = arn
                attributes[(logical_id, "QueueName")] = arn.rsplit(":", 1)[1]
            elif kind == "AWS::S3::Bucket":
                attributes[(logical_id, "Arn")] = f"arn:aws:s3:::{physical}"
            elif kind == "AWS::DynamoDB::Table":
                attributes[(logical_id, "Arn")] = client("dynamodb").describe_table(
                    TableName=physical
                )["Table"]["TableArn"]
            elif kind == "AWS::IAM::Role":
                role = client("iam").get_role(RoleName=physical)["Role"]
                attributes[(logical_id, "Arn")] = role["Arn"]
            elif kind == "AWS::Logs::LogGroup":
                arn = f"arn:aws:logs:{REGION}:{self.account}:log-group:{physical}:*"
                attributes[(logical_id, "Arn")] = arn
            elif kind == "AWS::Cognito::UserPool":
                attributes[(logical_id, "Arn")] = self.user_pool_arns[logical_id]
            elif kind == "AWS::Lambda::Function" and physical:
                function = client("lambda").get_function(FunctionName=physical)
                attributes[(logical_id, "Arn")] = function["Configuration"]["FunctionArn"]
        return attributes

    def _upload_artifacts(self) -> dict[str, Path]:
        """Zip each CodeUri/ContentUri folder into an artifacts bucket, as `sam deploy` would."""
        s3 = client("s3")
        s3.create_bucket(
            Bucket=ARTIFACTS_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        source = load_template(self.root / "template.yaml")
        code_dirs: dict[str, Path] = {}
        for logical_id, resource in source["Resources"].items():
            properties = resource.get("Properties", {})
            for uri_property in ("CodeUri", "ContentUri"):
                if uri_property in properties:
                    folder = self.root / properties[uri_property]
                    code_dirs[logical_id] = folder
                    buffer = io.BytesIO()
                    with zipfile.ZipFile(buffer, "w") as archive:
                        for path in sorted(folder.glob("*.py")):
                            archive.write(path, path.name)
                    s3.put_object(
                        Bucket=ARTIFACTS_BUCKET, Key=f"{logical_id}.zip", Body=buffer.getvalue()
                    )
        return code_dirs

    # -- what moto's CloudFormation skips -----------------------------------------------------
    def resolved_properties(self, logical_id: str) -> dict[str, Any]:
        assert self.resolver is not None
        properties: dict[str, Any] = self.resolver.resolve(
            self.template["Resources"][logical_id].get("Properties", {})
        )
        return properties

    def apply_skipped_properties(self) -> None:
        sqs = client("sqs")
        # Bucket policies first: S3 accepts a bucket's access logging only once the log
        # bucket's policy lets the logging service write.
        in_order = sorted(
            self.template["Resources"].items(),
            key=lambda item: item[1]["Type"] != "AWS::S3::BucketPolicy",
        )
        for logical_id, resource in in_order:
            kind = resource["Type"]
            if kind not in SKIPPED_BY_MOTO_CLOUDFORMATION:
                continue
            properties = self.resolved_properties(logical_id)
            physical = self.physical_ids.get(logical_id, "")
            if kind == "AWS::S3::Bucket":
                _apply_bucket(physical, properties)
            elif kind == "AWS::SQS::QueuePolicy":
                for queue_url in properties["Queues"]:
                    sqs.set_queue_attributes(
                        QueueUrl=queue_url,
                        Attributes={"Policy": json.dumps(properties["PolicyDocument"])},
                    )
            elif kind == "AWS::DynamoDB::Table":
                pitr = properties.get("PointInTimeRecoverySpecification", {})
                if pitr.get("PointInTimeRecoveryEnabled"):
                    client("dynamodb").update_continuous_backups(
                        TableName=physical,
                        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
                    )
            elif kind == "AWS::CloudWatch::Alarm":
                _put_alarm(logical_id, properties)
            elif kind == "AWS::S3::BucketPolicy":
                _apply_bucket_policy(properties)
            elif kind == "AWS::Lambda::Url":
                function_arn = properties["TargetFunctionArn"]
                url = client("lambda").create_function_url_config(
                    FunctionName=function_arn.rsplit(":", 1)[-1],
                    AuthType=properties["AuthType"],
                )["FunctionUrl"]
                for output, spec in self.template.get("Outputs", {}).items():
                    if spec["Value"] == {"Fn::GetAtt": [logical_id, "FunctionUrl"]}:
                        self.outputs[output] = url
            elif kind == "AWS::Scheduler::Schedule":
                client("scheduler").create_schedule(
                    Name=f"{self.stack_name}-{logical_id}",
                    ScheduleExpression=properties["ScheduleExpression"],
                    ScheduleExpressionTimezone=properties["ScheduleExpressionTimezone"],
                    FlexibleTimeWindow=properties["FlexibleTimeWindow"],
                    Target=properties["Target"],
                )

    def fire_due_schedules(self, now: datetime) -> list[str]:
        """Fire every schedule of the template whose expression falls in this minute."""
        due = []
        for logical_id, resource in self.template["Resources"].items():
            if resource["Type"] != "AWS::Scheduler::Schedule":
                continue
            schedule = client("scheduler").get_schedule(Name=f"{self.stack_name}-{logical_id}")
            timezone = schedule.get("ScheduleExpressionTimezone", "UTC")
            if cron_matches(schedule["ScheduleExpression"], now, timezone):
                self.fire_schedule(logical_id, now)
                due.append(logical_id)
        return due

    def fire_schedule(self, logical_id: str, at: datetime) -> int:
        """Deliver what the schedule sends at `at`, as EventBridge Scheduler would; then pump."""
        schedule = client("scheduler").get_schedule(Name=f"{self.stack_name}-{logical_id}")
        target = schedule["Target"]
        queue_name = target["Arn"].rsplit(":", 1)[1]
        queue_url = client("sqs").get_queue_url(QueueName=queue_name)["QueueUrl"]
        message = target.get("Input", "").replace(SCHEDULED_TIME, at.isoformat())
        client("sqs").send_message(QueueUrl=queue_url, MessageBody=message)
        return self.pump()

    # -- functions and their queues -----------------------------------------------------------
    def _discover_functions(self, code_dirs: dict[str, Path]) -> None:
        lambda_client = client("lambda")
        for logical_id, resource in self.template["Resources"].items():
            if resource["Type"] != "AWS::Lambda::Function":
                continue
            configuration = lambda_client.get_function_configuration(
                FunctionName=self.physical_ids[logical_id]
            )
            self.functions[logical_id] = LocalFunction(
                logical_id=logical_id,
                name=configuration["FunctionName"],
                arn=configuration["FunctionArn"],
                handler=configuration["Handler"],
                code_dir=code_dirs[logical_id],
                environment=dict(configuration.get("Environment", {}).get("Variables", {})),
                timeout=configuration.get("Timeout", 3),
                memory=configuration.get("MemorySize", 128),
            )

    def _load_roles(self) -> None:
        """Each function's role as the template writes it: what its handler may call, and what
        Lambda itself needs of it (logs, traces), which must be there or nothing is logged."""
        assert self.resolver is not None
        resources = self.template["Resources"]
        for logical_id, function in self.functions.items():
            properties = resources[logical_id]["Properties"]
            role_id = properties["Role"]["Fn::GetAtt"][0]
            role = resources[role_id]["Properties"]
            if role.get("ManagedPolicyArns"):
                raise RuntimeError(
                    f"{role_id}: managed policies cannot be checked here; write the statements"
                )
            statements = [
                statement
                for policy in role.get("Policies", [])
                for statement in policy["PolicyDocument"]["Statement"]
            ]
            grants = grants_of(logical_id, statements, self.resolver.resolve(statements))
            self.grants[logical_id] = grants
            RECORDER.register(grants)
            for permission in self._runtime_permissions(function, properties):
                self._require(function, permission, "Lambda could not write its logs and traces")

    def _runtime_permissions(
        self, function: LocalFunction, properties: dict[str, Any]
    ) -> list[Permission]:
        assert self.resolver is not None
        log_group = self.resolver.resolve(properties.get("LoggingConfig", {}).get("LogGroup"))
        stream = (
            f"arn:aws:logs:{REGION}:{self.account}:log-group:"
            f"{log_group or f'/aws/lambda/{function.name}'}:log-stream:local"
        )
        needed = [
            Permission(f"logs:{action}", stream) for action in ("CreateLogStream", "PutLogEvents")
        ]
        if properties.get("TracingConfig", {}).get("Mode") == "Active":
            needed += [
                Permission(f"xray:{action}", "*")
                for action in ("PutTraceSegments", "PutTelemetryRecords")
            ]
        return needed

    def _require(self, function: LocalFunction, permission: Permission, otherwise: str) -> None:
        """What the Lambda service does with the role (not the handler): checked and recorded."""
        if not RECORDER.check(self.grants[function.logical_id], permission):
            raise RuntimeError(
                f"{function.logical_id}'s role does not allow {permission.action} on "
                f"{permission.resource}: {otherwise}."
            )

    def _take_over_queue_polling(self) -> None:
        lambda_client, sqs = client("lambda"), client("sqs")
        by_arn = {f.arn: f for f in self.functions.values()}
        queue_urls = {
            sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]: url
            for url in sqs.list_queues().get("QueueUrls", [])
        }
        for mapping in lambda_client.list_event_source_mappings()["EventSourceMappings"]:
            function = by_arn.get(mapping["FunctionArn"])
            if function is None or mapping["EventSourceArn"] not in queue_urls:
                continue
            # moto would try to run the function in Docker on every message: this pump runs it instead.
            lambda_client.update_event_source_mapping(UUID=mapping["UUID"], Enabled=False)
            for action in POLLER_ACTIONS:
                self._require(
                    function,
                    Permission(action, mapping["EventSourceArn"]),
                    "Lambda refuses an event source mapping whose role cannot poll the queue",
                )
            self.triggers.append(
                QueueTrigger(
                    uuid=mapping["UUID"],
                    queue_url=queue_urls[mapping["EventSourceArn"]],
                    queue_arn=mapping["EventSourceArn"],
                    function=function,
                    batch_size=mapping.get("BatchSize", 10),
                    reports_item_failures="ReportBatchItemFailures"
                    in mapping.get("FunctionResponseTypes", []),
                )
            )

    def invoke(self, function: LocalFunction, event: dict[str, Any]) -> Any:
        env = {
            **function.environment,
            **LOCAL_RUNTIME_ENV,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            **self.extra_function_env,
        }
        if os.environ.get("AWS_ENDPOINT_URL"):
            env["AWS_ENDPOINT_URL"] = os.environ["AWS_ENDPOINT_URL"]
        context = LocalLambdaContext(function.name, function.arn, function.memory, function.timeout)
        role = self.grants.get(function.logical_id, [])
        with self._invoking, RECORDER.acting_as(function.logical_id, role, self.account):
            self.invocations.append((function.logical_id, event))
            if self.invoker is not None:
                return self.invoker(function, event, env, context)
            with environment(env):
                return function.load_handler()(event, context)

    def pump(self, max_rounds: int = 100) -> int:
        """Deliver queued messages until every mapped queue is empty; returns how many were delivered."""
        sqs = client("sqs")
        delivered = 0
        for _ in range(max_rounds):
            this_round = 0
            for trigger in self.triggers:
                messages = sqs.receive_message(
                    QueueUrl=trigger.queue_url,
                    MaxNumberOfMessages=min(10, trigger.batch_size),
                    AttributeNames=["All"],
                    MessageAttributeNames=["All"],
                ).get("Messages", [])
                if not messages:
                    continue
                this_round += len(messages)
                failed = self._deliver(trigger, messages)
                for message in messages:
                    if message["MessageId"] in failed:
                        sqs.change_message_visibility(
                            QueueUrl=trigger.queue_url,
                            ReceiptHandle=message["ReceiptHandle"],
                            VisibilityTimeout=0,
                        )
                    else:
                        sqs.delete_message(
                            QueueUrl=trigger.queue_url, ReceiptHandle=message["ReceiptHandle"]
                        )
            delivered += this_round
            if not this_round:
                break
        return delivered

    def _deliver(self, trigger: QueueTrigger, messages: list[Any]) -> set[str]:
        event = {"Records": [_sqs_record(message, trigger.queue_arn) for message in messages]}
        record_failures = _RecordFailures()
        try:
            with record_failures.caught():
                response = self.invoke(trigger.function, event)
        except Exception as failure:  # a crash, or (Powertools) every record of the batch failed
            self.failed_invocations.append(traceback.format_exc())
            self._report(trigger, messages, record_failures.exceptions or [failure])
            return {m["MessageId"] for m in messages}
        if not (trigger.reports_item_failures and isinstance(response, dict)):
            return set()
        failed = {failure["itemIdentifier"] for failure in response.get("batchItemFailures", [])}
        self._report(
            trigger, [m for m in messages if m["MessageId"] in failed], record_failures.exceptions
        )
        return failed

    def _report(
        self, trigger: QueueTrigger, messages: list[Any], reasons: list[BaseException]
    ) -> None:
        """A line for each failed message: its own record's exception where one was logged."""
        if len(reasons) != len(messages):
            known = reasons[:1] or [RuntimeError("its log says why")]
            reasons = known * len(messages)
        for message, reason in zip(messages, reasons, strict=True):
            self.failures.append(_failure_line(trigger, [message], reason))


class _RecordFailures(logging.Handler):
    """The exceptions of records a batch handler reported as failed: Powertools logs each with
    its traceback to the service's logger (the functions pass it to their BatchProcessor)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.exceptions: list[BaseException] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            self.exceptions.append(record.exc_info[1])

    @contextmanager
    def caught(self) -> Iterator[None]:
        service = logging.getLogger("carepay")
        service.addHandler(self)
        try:
            yield
        finally:
            service.removeHandler(self)


def _failure_line(trigger: QueueTrigger, messages: list[Any], failure: BaseException) -> str:
    """What failed, on what, and why: the S3 keys a message names, else its first characters."""
    about = []
    for message in messages:
        keys = re.findall(r'"key":\s*"([^"]+)"', message.get("Body", ""))
        about.extend([unquote_plus(key) for key in keys] or [message.get("Body", "")[:80]])
    return (
        f"{trigger.function.logical_id} failed on {', '.join(about)}: "
        f"{type(failure).__name__}: {failure} (the message is retried, then dead-lettered)"
    )


def _moto_reads_json_templates_as_json() -> None:
    """moto's CloudFormation parses every template with PyYAML's pure-Python loader, JSON too
    (JSON is YAML): most of a second for this template, in every test's deployment. The local
    cloud always sends JSON, so it is read as JSON; anything else still goes to moto's parser."""
    from moto.cloudformation.models import Stack

    original = Stack.parse_template
    if getattr(original, "carepay_json", False):
        return

    def parse_template(template: str) -> dict[str, Any]:
        try:
            parsed = json.loads(template)
        except ValueError:
            parsed = None
        return parsed if isinstance(parsed, dict) else dict(original(template))

    parse_template.carepay_json = True  # type: ignore[attr-defined]
    Stack.parse_template = staticmethod(parse_template)  # type: ignore[method-assign]


def _s3_events_name_the_version() -> None:
    """S3's events for an object in a versioned bucket carry its versionId (functions read that
    version, and their roles need s3:GetObjectVersion); moto's do not, so add it."""
    from moto.s3 import notifications

    if getattr(notifications._get_s3_event, "carepay_versions", False):
        return
    original = notifications._get_s3_event

    def with_version(event_name: str, bucket: Any, key: Any, notification_id: str) -> Any:
        event = original(event_name, bucket, key, notification_id)
        if key.version_id and key.version_id != "null":
            event["Records"][0]["s3"]["object"]["versionId"] = key.version_id
        return event

    with_version.carepay_versions = True  # type: ignore[attr-defined]
    notifications._get_s3_event = with_version


def _apply_bucket(bucket: str, properties: dict[str, Any]) -> None:
    """What moto's CloudFormation skips of a bucket: versioning, public access block, access
    logging, lifecycle rules and notifications."""
    s3 = client("s3")
    if "VersioningConfiguration" in properties:
        status = properties["VersioningConfiguration"]["Status"]
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})
    if "PublicAccessBlockConfiguration" in properties:
        s3.put_public_access_block(
            Bucket=bucket,
            PublicAccessBlockConfiguration=properties["PublicAccessBlockConfiguration"],
        )
    if "LoggingConfiguration" in properties:
        logging_to = properties["LoggingConfiguration"]
        s3.put_bucket_logging(
            Bucket=bucket,
            BucketLoggingStatus={
                "LoggingEnabled": {
                    "TargetBucket": logging_to["DestinationBucketName"],
                    "TargetPrefix": logging_to.get("LogFilePrefix", ""),
                }
            },
        )
    if "CorsConfiguration" in properties:
        s3.put_bucket_cors(
            Bucket=bucket,
            CORSConfiguration={
                "CORSRules": [
                    _cors_rule_api_shape(rule)
                    for rule in properties["CorsConfiguration"]["CorsRules"]
                ]
            },
        )
    if "LifecycleConfiguration" in properties:
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket,
            LifecycleConfiguration={
                "Rules": [
                    _lifecycle_rule_api_shape(rule)  # type: ignore[misc]
                    for rule in properties["LifecycleConfiguration"]["Rules"]
                ]
            },
        )
    if "NotificationConfiguration" in properties:
        s3.put_bucket_notification_configuration(
            Bucket=bucket,
            NotificationConfiguration=_notification_api_shape(
                properties["NotificationConfiguration"]
            ),
        )


def _cors_rule_api_shape(rule: dict[str, Any]) -> Any:
    """A CloudFormation CORS rule as S3's API takes it (MaxAge is MaxAgeSeconds there)."""
    shaped = {name: value for name, value in rule.items() if name not in ("MaxAge", "Id")}
    if "MaxAge" in rule:
        shaped["MaxAgeSeconds"] = int(rule["MaxAge"])
    return shaped


def _lifecycle_rule_api_shape(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation lifecycle rule as S3's API takes it."""
    shaped: dict[str, Any] = {
        "ID": rule["Id"],
        "Status": rule["Status"],
        "Filter": {"Prefix": rule.get("Prefix", "")},
    }
    if "ExpirationInDays" in rule:
        shaped["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if "NoncurrentVersionExpiration" in rule:
        days = rule["NoncurrentVersionExpiration"]["NoncurrentDays"]
        shaped["NoncurrentVersionExpiration"] = {"NoncurrentDays": int(days)}
    if "AbortIncompleteMultipartUpload" in rule:
        days = rule["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"]
        shaped["AbortIncompleteMultipartUpload"] = {"DaysAfterInitiation": int(days)}
    return shaped


def _apply_bucket_policy(properties: dict[str, Any]) -> None:
    """A bucket policy's Allow statements (moto cannot judge aws:SecureTransport: see above)."""
    document = properties["PolicyDocument"]
    allows = [s for s in document["Statement"] if s["Effect"] == "Allow"]
    if allows:
        client("s3").put_bucket_policy(
            Bucket=properties["Bucket"], Policy=json.dumps({**document, "Statement": allows})
        )


def _sqs_record(message: dict[str, Any], queue_arn: str) -> dict[str, Any]:
    """A message as Lambda's SQS poller hands it to a function."""
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": REGION,
    }


def _notification_api_shape(configuration: dict[str, Any]) -> Any:
    """CloudFormation's NotificationConfiguration, as S3's PutBucketNotificationConfiguration takes it."""
    queues = []
    for entry in configuration.get("QueueConfigurations", []):
        api_entry: dict[str, Any] = {"QueueArn": entry["Queue"], "Events": [entry["Event"]]}
        rules = entry.get("Filter", {}).get("S3Key", {}).get("Rules", [])
        if rules:
            api_entry["Filter"] = {
                "Key": {"FilterRules": [{"Name": r["Name"], "Value": r["Value"]} for r in rules]}
            }
        queues.append(api_entry)
    return {"QueueConfigurations": queues}


def _put_alarm(logical_id: str, properties: dict[str, Any]) -> None:
    names = {
        "AlarmDescription",
        "Namespace",
        "MetricName",
        "Dimensions",
        "Statistic",
        "Period",
        "EvaluationPeriods",
        "Threshold",
        "ComparisonOperator",
        "TreatMissingData",
        "AlarmActions",
    }
    alarm = {name: value for name, value in properties.items() if name in names}
    client("cloudwatch").put_metric_alarm(AlarmName=logical_id, **alarm)


def _user_pool_api_shape(properties: dict[str, Any]) -> dict[str, Any]:
    """The template's UserPool properties as CreateUserPool takes them: the same names, but
    the pool's name (PoolName in the API) and its MFA methods (SetUserPoolMfaConfig's)."""
    shape = {
        key: value
        for key, value in properties.items()
        if key not in ("UserPoolName", "EnabledMfas")
    }
    return {"PoolName": properties["UserPoolName"], **shape}


def _without_outputs_moto_cannot_resolve(template: Template) -> Template:
    """The template as moto's CloudFormation can create it: outputs of resources it cannot
    create (function URLs) are left out, and filled in by the local cloud."""
    unsupported = {
        logical_id
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Url"
    }
    outputs = {
        name: spec
        for name, spec in template.get("Outputs", {}).items()
        if not (
            isinstance(spec["Value"], dict)
            and spec["Value"].get("Fn::GetAtt", [""])[0] in unsupported
        )
    }
    return {**template, "Outputs": outputs}


def serve_function_url(cloud: LocalCloud, logical_id: str, port: int) -> ThreadingHTTPServer:
    """A function's URL on 127.0.0.1 (Lambda's function URLs need AWS): POSTs become its events."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = cloud.post_to_function_url(
                logical_id, self.path, body, dict(self.headers.items())
            )
            content = str(answer.get("body", "")).encode()
            self.send_response(int(answer.get("statusCode", 200)))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
