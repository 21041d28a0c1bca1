"""Each handler imports only what its own work needs: Google's client and openpyxl are heavy,
and every module a handler imports is paid for at every cold start. (An import graph, not a
timing: `make bench` prints the times.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("gspread", "google.auth", "openpyxl", "requests")
EXPECTED = {
    "ingest_actuals": set(),
    "import_care_packages": set(),
    "payment_runs": set(),
    "claim_workbooks": set(),
    "sheet_notices": set(),
    "portal": set(),  # its claim download imports openpyxl when it writes one, not before
    "portal_tasks": set(),
}


def heavy_modules_imported(function: str) -> set[str]:
    probe = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import app; "
        f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    environment = {
        **os.environ,
        "POWERTOOLS_TRACE_DISABLED": "1",
        "AWS_DEFAULT_REGION": "eu-west-2",
    }
    ran = subprocess.run(
        [sys.executable, "-c", probe, str(ROOT / "functions" / function)],
        capture_output=True, text=True, env=environment, timeout=120, check=False,
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    return set(json.loads(ran.stdout))


@pytest.mark.parametrize("function", sorted(EXPECTED))
def test_a_handler_that_does_not_use_google_or_write_workbooks_at_start_does_not_import_them(
    function: str,
) -> None:
    assert heavy_modules_imported(function) == EXPECTED[function]


def test_every_test_folder_is_one_pytest_collects() -> None:
    """pytest never looks inside folders named build, dist, venv or node_modules (its default
    norecursedirs): tests kept there would silently never run."""
    ignored_by_pytest = {"build", "dist", "venv", "node_modules", "CVS", "_darcs"}
    folders = {path.name for path in (ROOT / "tests").iterdir() if path.is_dir()}
    assert folders & ignored_by_pytest == set()
