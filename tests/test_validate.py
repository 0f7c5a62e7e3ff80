"""sesbook._validate: values that enter from outside are parsed and checked where they enter."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pytest

import sesbook
from sesbook._validate import check_timing, parse_bool, parse_seconds, parse_whole_number
from sesbook.errors import ValidationError

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, -1, 0, True, "10", "1e3", None, [1]])
def test_timeouts_must_be_finite_numbers_above_zero(bad: Any) -> None:
    with pytest.raises(ValidationError) as info:
        check_timing(timeout=bad)
    assert info.value.field == "timeout" and "seconds" in str(info.value)


def test_a_wait_may_look_once_and_none_means_the_default() -> None:
    check_timing(timeout=0, interval=0.5, waiting=True)
    check_timing(timeout=None, interval=None, none_ok=True)
    with pytest.raises(ValidationError, match="interval"):
        check_timing(timeout=1, interval=0, waiting=True)


@pytest.mark.parametrize(("text", "seconds"), [("10", 10.0), (" 1e3 ", 1000.0), ("0.5", 0.5), (3, 3.0)])
def test_text_from_cli_or_yaml_is_parsed_first(text: Any, seconds: float) -> None:
    assert parse_seconds("timeout", text) == seconds


@pytest.mark.parametrize("bad", ["nan", "inf", "-5", "0", "ten", "", "1_000"])
def test_bad_text_seconds(bad: str) -> None:
    with pytest.raises(ValidationError):
        parse_seconds("timeout", bad)


def test_whole_numbers_are_ascii_digits_only() -> None:
    assert parse_whole_number("seed", " 42 ") == 42
    for bad in ("\u00b2", "\u0663", "4.2", "-1", ""):
        with pytest.raises(ValidationError, match="digits 0-9"):
            parse_whole_number("seed", bad)


def test_parse_bool_refuses_what_it_does_not_know() -> None:
    assert parse_bool("x", " FALSE ") is False and parse_bool("x", "yes") is True
    with pytest.raises(ValidationError, match="x='nein'"):
        parse_bool("x", "nein")


@pytest.mark.parametrize("bad", [math.nan, -1, "10", True, math.inf])
def test_public_waits_and_checks_refuse_bad_timeouts_before_any_call(bad: Any) -> None:
    """Called with a target that would fail on first use: the check must come first."""
    aws = sesbook.connect("aws", profile="no-such-profile-here")
    calls = [
        lambda: sesbook.wait_for_verification(aws, "example.com", timeout=bad),
        lambda: sesbook.wait_for_verification(aws, "example.com", interval=bad),
        lambda: sesbook.wait_for_review(aws, timeout=bad),
        lambda: sesbook.wait_for_review(aws, interval=bad),
        lambda: sesbook.check_records([sesbook.Record("example.com", "TXT", "v")], timeout=bad),
        lambda: sesbook.check_spf("example.com", resolver="127.0.0.1:9", timeout=bad),
        lambda: sesbook.ensure_verified_sender(aws, domain="example.com", timeout=bad),
    ]
    for call in calls:
        with pytest.raises(ValidationError) as info:
            call()
        assert info.value.field in ("timeout", "interval")


def test_execute_in_place_checks_its_timeout(tmp_path: Path) -> None:
    from sesbook.runbook import execute_in_place

    with pytest.raises(ValidationError, match="timeout"):
        execute_in_place(tmp_path / "x.ipynb", timeout=math.nan)  # type: ignore[arg-type]
