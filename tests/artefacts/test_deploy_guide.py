"""The README's Deploy section is exactly what `sam deploy --guided` asks: the pinned SAM CLI is
run over the template and samconfig.toml, answered as the README says, and must ask the README's
questions in the README's order and get to the point where it would deploy."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from tests.artefacts.test_sam_build import pinned_sam

ROOT = Path(__file__).resolve().parents[2]
# A question as SAM prints it: after a tab, before its default in brackets and the colon.
QUESTION = re.compile(r"\t(?P<question>[^\t\n#][^\t\n]*?)(?: \[[^\]\n]*\])?: ")


def readme_questions() -> list[tuple[str, str]]:
    """The Deploy section's table: (question, what to type: its first `value`, or Enter)."""
    section = ROOT.joinpath("README.md").read_text().split("`sam deploy --guided` asks, in")[1]
    table = section[section.index("| question | answer |") :].split("\n\n", 1)[0]
    rows = []
    for line in table.splitlines()[2:]:
        question, answer = (cell.strip() for cell in line.strip("|").split("|", 1))
        typed = re.match(r"`([^`]*)`", answer)
        rows.append((question, typed.group(1) if typed else ""))
    return rows


def test_answering_as_the_readme_says_gets_sam_deploy_guided_to_the_deployment(
    tmp_path: Path,
) -> None:
    for name in ("template.yaml", "samconfig.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    rows = readme_questions()
    nowhere = {  # SAM asks everything before it calls AWS; then it finds no AWS here
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "none",
        "AWS_SECRET_ACCESS_KEY": "none",
        "AWS_MAX_ATTEMPTS": "1",
        "SAM_CLI_TELEMETRY": "0",
    }
    asked = subprocess.run(
        [*pinned_sam(), "deploy", "--guided", "--template-file", "template.yaml"],
        cwd=tmp_path,
        input="".join(f"{typed}\n" for _, typed in rows),
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **nowhere},
        check=False,
    )
    prompts = asked.stdout.split("Setting default arguments for 'sam deploy'", 1)[-1]
    questions = [match["question"] for match in QUESTION.finditer(prompts)]
    assert questions == [question for question, _ in rows], asked.stdout
    assert "Looking for resources needed for deployment" in asked.stdout, asked.stdout
    assert "Security Constraints Not Satisfied" not in asked.stdout + asked.stderr
