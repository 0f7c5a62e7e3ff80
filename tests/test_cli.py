"""The command line's own help: descriptions, help for every option, the version, the program's name."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from sesbook.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]


def _parsers(parser: argparse.ArgumentParser, path: str = "") -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(path or parser.prog, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _parsers(sub, f"{path} {name}".strip())
    return found


def test_every_command_has_a_description_and_every_option_help() -> None:
    for name, parser in _parsers(build_parser()):
        assert parser.description, f"{name!r} has no description"
        assert "``" not in parser.description and "`" not in parser.description, f"{name!r}: markup in help"
        for action in parser._actions:
            if not isinstance(action, argparse._SubParsersAction):
                assert action.help, f"{name!r}: {action.option_strings or action.dest} has no help"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("sesbook ") and len(out.split()) >= 2


def test_the_program_calls_itself_as_it_was_called() -> None:
    out = subprocess.run([sys.executable, "-m", "sesbook", "--help"], capture_output=True, text=True, cwd=ROOT,
                         timeout=60)
    assert out.stdout.startswith("usage: python -m sesbook ")
    assert build_parser().format_usage().startswith("usage: sesbook ")
