"""Every function as Lambda runs it: in a virtual environment of nothing but the layer (built by
the layer's own Makefile from layers/carepay/requirements.txt) and the boto3 the runtime ships,
each handler imported with the environment the template gives it and handling events of its
kind against the local cloud. moto's dev environment brings packages Lambda does not have (the
X-Ray SDK was one): only this environment tells what a function can import.

The layer is built for this machine (its Python and CPU) rather than Lambda's arm64 / 3.13, so
its compiled wheels load here; the pins and the recipe are the ones `sam build` uses.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

import pytest

from carepay.adapters.aws import client, forget_clients
from carepay_local.apps_script import signed_notice
from carepay_local.client import CarepayClient
from carepay_local.cloud import LocalCloud, LocalFunction, LocalLambdaContext, quiet_local_cloud
from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
LAYER = ROOT / "layers" / "carepay"
SAMPLES = ROOT / "spreadsheets" / "samples"
RUNTIME = Path(__file__).with_name("lambda_runtime.py")
UV = os.environ.get("UV") or str(ROOT / ".tools" / "bin" / "uv")


def runtime_packages_in_makefile() -> set[str]:
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line.startswith("LAMBDA_RUNTIME_PACKAGES :="):
            return set(line.split(":=", 1)[1].split())
    raise AssertionError("Makefile has no LAMBDA_RUNTIME_PACKAGES")


@pytest.fixture(scope="module")
def layer_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with only the runtime's boto3, and the layer built beside it by its Makefile."""
    folder = tmp_path_factory.mktemp("lambda")
    venv = folder / "venv"
    subprocess.run([UV, "venv", "--quiet", "--python", sys.executable, str(venv)], check=True)
    subprocess.run(
        [UV, "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
         "-r", str(LAYER / "runtime-requirements.txt")],
        check=True,
    )  # fmt: skip
    subprocess.run(
        ["make", "--no-print-directory", "-f", str(LAYER / "Makefile"), "build-CarepayLayer",
         f"ARTIFACTS_DIR={folder / 'opt'}", "BYTECODE=none",
         f"LAYER_PLATFORM={platform.machine()}-manylinux_2_28",
         f"LAYER_PYTHON={sys.version_info.major}.{sys.version_info.minor}"],
        cwd=LAYER, check=True, capture_output=True,
    )  # fmt: skip
    return folder


class WarmContainers:
    """One long-lived process per function, as Lambda keeps a container warm."""

    def __init__(self, folder: Path) -> None:
        self.python = folder / "venv" / "bin" / "python"
        self.layer = folder / "opt" / "python"
        self.processes: dict[str, subprocess.Popen[str]] = {}
        self.cold_starts: dict[str, list[str]] = {}  # function → modules loaded at import
        self.logs: dict[str, list[str]] = {}

    def __call__(
        self,
        function: LocalFunction,
        event: dict[str, Any],
        environment: dict[str, str],
        context: LocalLambdaContext,
    ) -> Any:
        process = self.processes.get(function.logical_id) or self._start(function, environment)
        assert process.stdin is not None and process.stdout is not None
        fields = {k: v for k, v in vars(context).items() if not k.startswith("_")}
        process.stdin.write(json.dumps({"event": event, "context": fields}) + "\n")
        process.stdin.flush()
        answer = json.loads(process.stdout.readline())
        if "error" in answer:
            raise RuntimeError(f"{function.logical_id} failed in the layer-only venv:\n{answer}")
        return answer["response"]

    def _start(self, function: LocalFunction, environment: dict[str, str]) -> subprocess.Popen[str]:
        lambda_like = {
            **environment,
            "PATH": "/usr/bin:/bin",
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "LAMBDA_TASK_ROOT": str(function.code_dir),
            # Tracing on, as Tracing: Active gives it: segments go to a daemon address nobody
            # listens on, as UDP does not mind.
            "_X_AMZN_TRACE_ID": f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]};"
            f"Parent={uuid.uuid4().hex[:16]};Sampled=1",
            "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        }
        lambda_like.pop("POWERTOOLS_TRACE_DISABLED", None)
        process = subprocess.Popen(
            [str(self.python), "-P", str(RUNTIME), str(function.code_dir), str(self.layer),
             function.handler],
            env=lambda_like, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert process.stdout is not None and process.stderr is not None
        self.logs[function.logical_id] = []
        _keep_reading(process.stderr, self.logs[function.logical_id])
        ready = json.loads(process.stdout.readline() or '{"init_error": "no answer"}')
        if "init_error" in ready:
            raise RuntimeError(f"{function.logical_id} cannot start in Lambda:\n{ready}")
        self.cold_starts[function.logical_id] = ready["modules"]
        self.processes[function.logical_id] = process
        return process

    def stop(self) -> None:
        for process in self.processes.values():
            process.kill()
            process.wait()


def _keep_reading(stream: IO[str], into: list[str]) -> None:
    threading.Thread(target=lambda: into.extend(stream), daemon=True).start()


@pytest.fixture(scope="module")
def lambda_cloud(layer_venv: Path) -> Iterator[tuple[LocalCloud, WarmContainers]]:
    """The stack in a moto server (handlers in other processes must reach it), run by them."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    saved = os.environ.get("AWS_ENDPOINT_URL")
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
    forget_clients()
    containers = WarmContainers(layer_venv)
    try:
        with quiet_local_cloud():
            cloud = LocalCloud().deploy()
        cloud.invoker = containers
        yield cloud, containers
        cloud.close()
    finally:
        containers.stop()
        os.environ.pop("AWS_ENDPOINT_URL")
        if saved is not None:
            os.environ["AWS_ENDPOINT_URL"] = saved
        forget_clients()
        server.stop()


def test_the_layer_ships_exactly_its_pins_and_none_of_the_runtimes_own_packages(
    layer_venv: Path,
) -> None:
    installed = dict(
        path.name.removesuffix(".dist-info").lower().replace("_", "-").rsplit("-", 1)
        for path in (layer_venv / "opt" / "python").glob("*.dist-info")
    )
    pinned = {
        name.strip().lower(): version.split(";")[0].strip()
        for name, _, version in (
            line.partition("==") for line in (LAYER / "requirements.txt").read_text().splitlines()
        )
        if version
    }
    assert installed == pinned  # nothing unpinned came in as a dependency (urllib3 once did)
    assert "aws-xray-sdk" in installed  # what Powertools' Tracer imports, even when disabled
    assert not set(installed) & runtime_packages_in_makefile()


def test_the_runtime_packages_left_out_are_boto3_and_what_it_depends_on(layer_venv: Path) -> None:
    python = layer_venv / "venv" / "bin" / "python"
    listed = subprocess.run(
        [UV, "pip", "list", "--python", str(python), "--format", "json"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    in_runtime = {package["name"].lower() for package in json.loads(listed)}
    assert in_runtime == runtime_packages_in_makefile()


def test_every_handler_starts_and_handles_its_events_with_only_the_layer_and_the_runtime(
    lambda_cloud: tuple[LocalCloud, WarmContainers],
) -> None:
    cloud, containers = lambda_cloud
    council = CarepayClient(pump=cloud.pump, timeout_seconds=60)
    week, monday_after = date(2026, 11, 9), datetime(2026, 11, 16, 9, 30, tzinfo=UTC)
    imported = council.import_care_packages(SAMPLES / "care-packages.csv")
    assert imported["imported"] == 17
    feedback = council.upload(
        "P003",
        "claim.csv",
        (SAMPLES / "P003-claim-w-c-2026-11-09.csv").read_bytes(),
        at=monday_after,
    )
    assert feedback["accepted"] > 0
    workbook, _ = council.claim_workbook("P001", week)
    assert workbook.startswith(b"PK")
    run = council.approve(
        council.pay(at=datetime(2026, 11, 18, 6, tzinfo=UTC))["run_id"], "finance officer"
    )
    assert run["status"] == "approved"
    sheet = cloud.google.create("Bradford Day Services: claims")
    assert council.link_sheet("P002", sheet)["outcome"] == "linked"
    secret = cloud.secret_arns["SheetsNoticeSecret"]
    key = client("secretsmanager").get_secret_value(SecretId=secret)["SecretString"]
    body, headers = signed_notice(key, sheet, "w/c 2026-11-09", "H5")
    answer = cloud.post_to_function_url("SheetNoticesFunction", "/notices", body, headers)
    assert answer["statusCode"] == 202, answer
    cloud.pump()
    portal_week_through_the_api(cloud, week)

    assert cloud.failed_invocations == []
    assert set(containers.cold_starts) == set(cloud.functions)  # all eight, each in the venv
    for function, modules in containers.cold_starts.items():
        assert "moto" not in modules, function
        assert "aws_xray_sdk" in modules, function  # Tracer's, with tracing on as in Lambda


def portal_week_through_the_api(cloud: LocalCloud, week: date) -> None:
    """The portal's page, and a week with its claim workbook, for a signed-in provider."""
    users = "Email,Provider Ref\njo@acme.example,P001\n"
    client("s3").put_object(
        Bucket=cloud.outputs["InboundBucketName"], Key="portal-users/jo.csv", Body=users
    )
    cloud.pump()
    idp, email, password = client("cognito-idp"), "jo@acme.example", "Correct-Horse-42-Battery"
    idp.admin_set_user_password(
        UserPoolId=cloud.outputs["PortalUserPoolId"],
        Username=email,
        Password=password,
        Permanent=True,
    )
    token = idp.initiate_auth(
        ClientId=cloud.outputs["PortalClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": email, "PASSWORD": password},
    )["AuthenticationResult"]["AccessToken"]
    portal, signed_in = cloud.http_api("PortalApi"), {"Authorization": f"Bearer {token}"}
    assert portal.request("GET", "/", {}, b"").status == 200
    claim = portal.request("GET", f"/api/providers/P001/weeks/{week}/claim", signed_in, b"")
    assert claim.status == 200, claim.body
