"""`sam build` on this machine gives artefacts Lambda (python3.13, arm64) can run as they are."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from carepay_local.template import load_template

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / ".aws-sam" / "build"


def pinned_sam() -> list[str]:
    """The SAM CLI the Makefile pins, as `make sam` runs it."""
    pin = next(
        line.split(":=", 1)[1].strip()
        for line in (ROOT / "Makefile").read_text().splitlines()
        if line.startswith("SAM_CLI :=")
    )
    uv = os.environ.get("UV") or str(ROOT / ".tools" / "bin" / "uv")
    return [uv, "tool", "run", "--from", pin, "sam"]


@pytest.fixture(scope="module")
def built() -> Path:
    """Plain `sam build`, as a council's IT officer would type it: nothing of make's exported."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("UV", "NODE", "CAREPAY_ROOT", "MAKEFLAGS", "MAKELEVEL")
    }
    subprocess.run(
        [*pinned_sam(), "build"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**clean, "SAM_CLI_TELEMETRY": "0"},
    )
    return BUILD


def test_functions_and_layer_are_built_for_the_same_architecture_and_runtime() -> None:
    template = load_template(ROOT / "template.yaml")
    function_globals = template["Globals"]["Function"]
    layer = template["Resources"]["CarepayLayer"]
    assert (
        function_globals["Architectures"]
        == layer["Properties"]["CompatibleArchitectures"]
        == ["arm64"]
    )
    assert layer["Metadata"]["BuildArchitecture"] == "arm64"
    assert (
        [function_globals["Runtime"]] == layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]
    )


def test_the_layer_carries_arm64_python_3_13_wheels_and_no_local_only_code(built: Path) -> None:
    site = built / "CarepayLayer" / "python"
    binaries = {path.name for path in site.rglob("*.so")}
    assert "_pydantic_core.cpython-313-aarch64-linux-gnu.so" in binaries
    assert all("x86_64" not in name for name in binaries)
    assert (site / "carepay" / "domain" / "actuals.py").is_file()
    assert not (site / "carepay_local").exists() and not (site / "carepay" / "local").exists()
    assert not (site / "moto").exists() and not (site / "boto3").exists()


def test_every_module_ships_with_cpython_3_13_bytecode(built: Path) -> None:
    sources = [p for p in built.rglob("*.py") if "site-packages" not in p.parts]
    missing = [
        source
        for source in sources
        if not (source.parent / "__pycache__" / f"{source.stem}.cpython-313.pyc").is_file()
    ]
    assert sources and missing == []
    other_versions = [p for p in built.rglob("*.pyc") if ".cpython-313" not in p.name]
    assert other_versions == []
    # CPython 3.13's magic number: the runtime only uses bytecode of its own version.
    handler_pyc = built / "IngestActualsFunction" / "__pycache__" / "app.cpython-313.pyc"
    assert handler_pyc.read_bytes()[:4] == (3571).to_bytes(2, "little") + b"\r\n"


def test_the_layer_requirements_are_exported_from_the_lock_file() -> None:
    requirements = (ROOT / "layers" / "carepay" / "requirements.txt").read_text()
    assert "aws-lambda-powertools==" in requirements and "python-calamine==" in requirements
    assert "boto3==" not in requirements and "moto" not in requirements


def test_the_built_layer_holds_exactly_the_pins_the_layer_only_venv_is_tested_with(
    built: Path,
) -> None:
    site = built / "CarepayLayer" / "python"
    installed = {
        path.name.removesuffix(".dist-info").lower().replace("_", "-").rsplit("-", 1)[0]
        for path in site.glob("*.dist-info")
    }
    requirements = (ROOT / "layers" / "carepay" / "requirements.txt").read_text()
    pinned = {line.split("==")[0].lower() for line in requirements.splitlines() if "==" in line}
    assert installed == pinned
    assert not installed & {"boto3", "botocore", "urllib3", "s3transfer", "jmespath"}


def test_each_function_ships_its_handler_as_written(built: Path) -> None:
    template = load_template(ROOT / "template.yaml")
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::Function":
            source = ROOT / resource["Properties"]["CodeUri"] / "app.py"
            assert (built / logical_id / "app.py").read_bytes() == source.read_bytes()
