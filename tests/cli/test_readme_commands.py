"""The README's commands work as written on a fresh clone: carepay is run by `make …` or
`.venv/bin/carepay …` naming a command and options that exist (the CLI tests run that very
executable against `carepay serve`), never `uv run` (uv may be only under .tools/)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import typer

from carepay_local.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"
CAREPAY = ".venv/bin/carepay"


def readme_commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), re.DOTALL)
    joined = [block.replace("\\\n", " ") for block in blocks]  # continuation lines
    lines = [line.split("  #", 1)[0].strip() for block in joined for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def test_the_readme_runs_carepay_only_as_make_or_the_projects_own_executable() -> None:
    """`uv run carepay` fails on a fresh machine (uv is installed under .tools/)."""
    commands = readme_commands()
    assert any(command.startswith(CAREPAY) for command in commands)
    for command in commands:
        assert command.split()[0] not in ("uv", "carepay", "python", "python3"), command


def test_every_carepay_command_in_the_readme_names_a_command_and_options_that_exist() -> None:
    root = typer.main.get_command(app)
    for command in readme_commands():
        words = shlex.split(command)
        if words[0] != CAREPAY:
            continue
        found: Any = root  # typer's own (vendored) click: its groups have `commands`
        for word in words[1:]:
            if word in getattr(found, "commands", {}):
                found = found.commands[word]
        assert not hasattr(found, "commands"), command
        known = {name for parameter in found.params for name in getattr(parameter, "opts", [])}
        used = {word for word in words if word.startswith("--")}
        assert used <= known, (command, used - known)
