"""What the command line's exit code means: 1 is only ever "some rows were rejected"."""

from __future__ import annotations

import sys

import pytest

from carepay_local import cli
from carepay_local.cli import runs


def test_a_fault_of_carepay_itself_exits_3_and_says_it_is_not_about_the_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken_client(_: str) -> None:
        raise KeyError("a bug in carepay")

    monkeypatch.setattr(runs, "client", broken_client)
    monkeypatch.setattr(sys, "argv", ["carepay", "runs", "list"])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 3
    said = capsys.readouterr()
    assert "carepay itself failed" in said.out and "KeyError" in said.err
