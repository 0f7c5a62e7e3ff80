"""``python -m sesbook dns records|check``: output and exit codes."""

from __future__ import annotations

import json

import pytest

import sesbook
from sesbook.cli import main
from sesbook.dns.route53 import apply_to_route53


def test_records_without_a_target_prints_placeholders(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dns", "records", "example.com", "--region", "eu-west-1", "--format", "json"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["region"] == "eu-west-1" and sum(r["placeholder"] for r in data["records"]) == 4
    assert "placeholder value(s)" in err


@pytest.mark.parametrize(("fmt", "marker"), [("table", "purpose"), ("zone", "$ORIGIN example.com."),
                                             ("route53", '"Changes"'), ("cloudformation", "AWS::Route53::RecordSet")])
def test_records_formats(capsys: pytest.CaptureFixture[str], fmt: str, marker: str) -> None:
    assert main(["dns", "records", "example.com", "--format", fmt, "--mail-from", "mail"]) == 0
    assert marker in capsys.readouterr().out


@pytest.mark.parametrize("argv", [
    ["dns", "records", "example.com", "--region", "sa-east-1"],
    ["dns", "records", "not a domain"],
    ["dns", "records", "example.com", "--mail-from", "example.com"],
    ["dns", "check", "example.com", "--nameserver", "dns.example.net:53"],
    ["dns", "check", "example.com", "--nameserver", "127.0.0.1:\u00b2"],  # isdigit() is True for "²"
    ["dns", "check", "example.com", "--timeout", "nan"],  # hung: a DNS lifetime of NaN never runs out
    ["dns", "check", "example.com", "--timeout", "-1"],
    ["dns", "check", "example.com", "--timeout", "0"],
    ["dns", "check", "example.com", "--timeout", "soon"],
])
def test_bad_input_exits_2_with_one_message(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err


def test_check_exit_codes_against_the_lab(target: sesbook.Target, capsys: pytest.CaptureFixture[str]) -> None:
    target.ses.verify_domain_identity(Domain="example.com")
    target.ses.verify_domain_dkim(Domain="example.com")
    argv = ["dns", "check", "example.com", "--target", "lab", "--mail-from", "mail"]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "problem: MX example.com: missing" in out
    records = main(["dns", "records", "example.com", "--target", "lab", "--format", "json", "--mail-from", "mail"])
    assert records == 0
    data = json.loads(capsys.readouterr().out)
    assert not any(r["placeholder"] for r in data["records"])
    apply_to_route53(target, sesbook.records_for(target, "example.com", mail_from="mail"))
    assert main(argv) == 0
    assert "all required records are right" in capsys.readouterr().out
    nameserver = target.lab.dns  # the same server named explicitly
    assert main([*argv, "--nameserver", nameserver]) == 0


def test_check_with_placeholders_never_passes(target: sesbook.Target, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dns", "check", "example.com", "--nameserver", target.lab.dns, "--no-receive"]) == 1
    captured = capsys.readouterr()
    assert "skipped" in captured.out and "--dkim-token" in captured.err


def test_lab_target_without_a_running_lab(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from sesbook import lab

    monkeypatch.setattr(lab, "current", lambda: None)
    monkeypatch.delenv("SESBOOK_LAB", raising=False)
    assert main(["dns", "records", "example.com", "--target", "lab"]) == 2
    assert "no running lab" in capsys.readouterr().err


# -- issue 8 item 11: flags checked where they enter ------------------------------------------------------------
@pytest.mark.parametrize(("argv", "said"), [
    (["dns", "records", "example.com", "--target", "lab", "--profile", "prod"], "profile='prod': is only used with"),
    (["dns", "records", "example.com", "--profile", "prod"], "profile='prod': is only used with --target aws"),
    (["dns", "records", "example.com", "--region", "us-east-99", "--no-receive"], "is not a region where SES runs"),
    (["dns", "records", "xn--zz.com"], "does not decode"),
    (["lab", "--region", "mars", "--no-state-file"], "region='mars': is not an AWS region name"),
    (["lab", "--region", "us-east-99", "--no-state-file"], "is not a region where SES runs"),
])
def test_flags_are_refused_with_one_message(capsys: pytest.CaptureFixture[str], argv: list[str], said: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err


def test_records_for_an_idn_show_both_forms(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dns", "records", "例え.jp"]) == 0
    out = capsys.readouterr().out
    assert "xn--r8jz45g.jp (例え.jp)" in out and "_amazonses.xn--r8jz45g.jp" in out
