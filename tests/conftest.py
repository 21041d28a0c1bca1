"""Test-wide settings: no real AWS is ever reached, and Powertools runs quietly outside Lambda."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from carepay_local.iam import RECORDS_FOLDER, least_privilege_findings, save_records

# Set before any test module imports boto3 or Powertools: clients and X-Ray read these at import.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "eu-west-2",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_METRICS_NAMESPACE": "carepay",
        "POWERTOOLS_SERVICE_NAME": "carepay",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)


# -- least privilege, measured (see carepay_local.iam) --------------------------------------------
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--least-privilege",
        action="store_true",
        help="After the whole suite: fail if a function's role grants anything no AWS call of "
        "the tests used, or if any call was refused (make test sets it).",
    )


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("--least-privilege") and not hasattr(config, "workerinput"):
        # Inherited by pytest-xdist's workers, which are started after this.
        os.environ[RECORDS_FOLDER] = tempfile.mkdtemp(prefix="carepay-iam-")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    records = os.environ.get(RECORDS_FOLDER)
    if not records:
        return
    save_records(getattr(session.config, "workerinput", {}).get("workerid", "controller"))
    if hasattr(session.config, "workerinput"):
        return  # the controller adds up every worker's calls once they have all finished
    findings = least_privilege_findings(
        [json.loads(path.read_text()) for path in Path(records).glob("*.json")]
    )
    shutil.rmtree(records, ignore_errors=True)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if findings and reporter is not None:
        reporter.section("least privilege: roles in template.yaml against the calls made", red=True)
        for finding in findings:
            reporter.line(finding, red=True)
    if findings:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
