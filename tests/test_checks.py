"""The one result type every check_* returns."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from sesbook import CheckFailedError
from sesbook.checks import CheckResult, Finding


@dataclass(frozen=True, repr=False)
class Sample(CheckResult):
    items: tuple[Finding, ...]
    title = "check_sample"


def test_ok_problems_warnings_come_from_the_findings() -> None:
    result = Sample((
        Finding.ok("a", "a is right"),
        Finding.warning("b", "b may surprise you", fix="set b"),
        Finding.problem("c", "c is missing: publish it", expected="x", found="nothing"),
        Finding.info("d", "d is worth knowing"),
    ))
    assert not result.ok
    assert result.problems == ["c is missing: publish it"]
    assert result.warnings == ["b may surprise you"]
    assert [f.subject for f in result.passed] == ["a"]


def test_no_problem_is_ok_and_raise_returns_self() -> None:
    result = Sample((Finding.warning("b", "only a warning"),))
    assert result.ok
    assert result.raise_if_not_ok() is result


def test_raise_if_not_ok_names_every_problem() -> None:
    result = Sample((Finding.problem("c", "c is missing"), Finding.problem("e", "e is wrong")))
    with pytest.raises(CheckFailedError) as info:
        result.raise_if_not_ok()
    assert info.value.check == "check_sample"
    assert info.value.problems == ("c is missing", "e is wrong")
    assert "c is missing" in str(info.value) and "e is wrong" in str(info.value)


def test_text_and_html_show_each_finding_and_escape() -> None:
    result = Sample((Finding.problem("<c>", "c is <missing>"),))
    text = repr(result)
    assert text.startswith("check_sample: problems")
    assert "PROBLEM" in text and "c is <missing>" in text
    html = result._repr_html_()
    assert "&lt;missing&gt;" in html and "<missing>" not in html
    assert "❌" in html


def test_unknown_severity_is_refused() -> None:
    with pytest.raises(ValueError, match="severity"):
        Finding("x", "fatal", "nope")  # type: ignore[arg-type]


def test_every_check_result_is_a_check_result() -> None:
    """The four check_* results of the client are CheckResult subclasses (SPF/DMARC: on their own branch)."""
    from sesbook.account.check import AccountCheck
    from sesbook.dns.check import RecordsCheck
    from sesbook.identities.check import IdentityCheck
    from sesbook.target import TargetCheck

    for cls in (TargetCheck, IdentityCheck, AccountCheck, RecordsCheck):
        assert issubclass(cls, CheckResult), cls


def test_check_target_problems_come_from_findings() -> None:
    from sesbook.target import TargetCheck

    result = TargetCheck("lab", (("SES API", True, "answered"), ("DNS", False, "no answer for x")))
    assert isinstance(result, CheckResult) and not result.ok
    assert result.problems == ["DNS: no answer for x"] and result.warnings == []
    with pytest.raises(CheckFailedError, match="DNS: no answer for x"):
        result.raise_if_not_ok()


def test_each_check_returns_a_check_result(target) -> None:  # noqa: ANN001 - the lab fixture
    import sesbook

    results = [
        sesbook.check_target(target),
        sesbook.check_identity(target, "example.com"),
        sesbook.check_account(target, production=False),
        sesbook.check_records(sesbook.required_records("example.com", region=target.region), resolver=target),
    ]
    for result in results:
        assert isinstance(result, CheckResult), type(result).__name__
        assert result.ok == (not result.problems)
    assert results[0].ok and not results[1].ok and results[2].ok and not results[3].ok
    assert results[1].problems == ["example.com is not an identity in us-east-1: verify it first."]


def test_every_exported_check_returns_a_check_result_type() -> None:
    """Every ``check_*`` in the public API is declared to return a CheckResult subclass, rendered one way."""
    import inspect
    import sys

    import sesbook

    names = sorted(n for n in sesbook.__all__ if n.startswith("check_"))
    expected = {"check_account", "check_dmarc", "check_identity", "check_records", "check_spf", "check_target"}
    assert expected <= set(names)
    for name in names:
        func = getattr(sesbook, name)
        annotation = inspect.signature(func).return_annotation  # a name, under `from __future__ import annotations`
        returned = getattr(sys.modules[func.__module__], annotation)
        assert issubclass(returned, CheckResult), (name, returned)
        # one text and one HTML rendering: no subclass brings its own (dataclasses must say repr=False)
        assert returned.__repr__ is CheckResult.__repr__, name
        assert returned._repr_html_ is CheckResult._repr_html_, name
