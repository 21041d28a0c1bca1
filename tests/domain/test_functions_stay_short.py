"""No function of carepay's own code is over 60 lines: each does one step a reader can hold.

Tests and generated data are left out; everything that ships, the handlers and the local tooling
are in.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = (ROOT / "layers" / "carepay" / "src", ROOT / "functions", ROOT / "local" / "src")
LONGEST = 60


def test_no_function_is_over_60_lines() -> None:
    measured = {}
    for path in sorted(file for folder in CODE for file in folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                where = f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"
                measured[where] = (node.end_lineno or node.lineno) - node.lineno + 1
    assert {where: lines for where, lines in measured.items() if lines > LONGEST} == {}
    assert len(measured) > 300  # the walk really read the code
