"""The domain imports nothing from AWS, Powertools, spreadsheets or the adapters: rules stay pure."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "layers" / "carepay" / "src" / "carepay" / "domain"
FORBIDDEN = (
    "boto3",
    "botocore",
    "aws_lambda_powertools",
    "openpyxl",
    "python_calamine",
    "carepay.adapters",
    "carepay.services",
    "carepay_local",
    "carepay.spreadsheets",
)


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


def test_no_domain_module_imports_aws_io_or_outer_layers() -> None:
    offenders = {
        path.name: sorted(m for m in imported_modules(path) if m.startswith(FORBIDDEN))
        for path in sorted(DOMAIN.glob("*.py"))
    }
    assert {name: found for name, found in offenders.items() if found} == {}
    assert len(offenders) >= 8  # the walk really found the domain's modules
