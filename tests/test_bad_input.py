"""One table of bad inputs across every way into sesbook, and what each must answer.

Each row gives a bad input to the Python API, the CLI (``sesbook.cli.main`` in this process), the notebook
parameters (:func:`sesbook.target.validate_settings`, which the runner and ``connect`` call), the lab's own
HTTP control API (``/_sesbook/...``) or one of its two SMTP servers (the inbound server and the submission
server). The answer must be the ``sesbook`` error type (or an HTTP 400 / the SMTP reply code SES uses) whose
message names the field and says what to do instead: never a traceback from inside boto3 or moto, never a
500, never a hang (every socket has a timeout).
"""

from __future__ import annotations

import base64
import re
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

import sesbook
from sesbook import errors
from sesbook.cli import main as cli_main
from sesbook.lab.smtp import tls
from sesbook.receiving.model import BounceAction, LambdaAction, Rule, S3Action, SNSAction
from sesbook.sending.mime import Attachment
from sesbook.smtp import smtp_credentials
from sesbook.target import validate_settings

from helpers import let_ses_write, verify_domain_now

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from sesbook.lab.runtime import Lab

pytestmark = pytest.mark.lab

#: Words that say what to do instead (a rule with a remedy, or a hint).
REMEDY = ("use ", "give", "must", "should", "set ", "pass", "try", "add ", "remove", "drop", "choose", "one of",
          "for example", "e.g.", "at most", "at least", "only", "write", "ask", "need", "expected", "send ",
          "allowed", "instead", "rename", "shorten", "split", "fix", "make ", "check", "looks like", "build",
          " are ", "usage:")

TIMEOUT = 10  # seconds: a hang fails the case instead of the suite


@dataclass(frozen=True)
class Ctx:
    target: sesbook.Target
    lab: Lab


@dataclass(frozen=True)
class Case:
    """``call(ctx)`` must fail with ``expect`` (an exception type, or an int: HTTP status / SMTP reply code)
    and its message must contain every one of ``names`` (the field, case-insensitively)."""

    id: str
    call: Callable[[Ctx], Any]
    expect: type[BaseException] | int
    names: tuple[str, ...]


CASES: list[Case] = []


def api(name: str, names: str | tuple[str, ...], call: Callable[[Ctx], Any],
        expect: type[BaseException] = errors.ValidationError) -> None:
    CASES.append(Case(name, call, expect, (names,) if isinstance(names, str) else names))


V = errors.ValidationError

# -- the Python API: identities, DNS strings -----------------------------------------------------------------------
api("verify_domain: empty", "domain", lambda c: sesbook.verify_domain(c.target, ""))
api("verify_domain: an address", "domain", lambda c: sesbook.verify_domain(c.target, "a@example.com"))
api("verify_domain: label over 63", "domain", lambda c: sesbook.verify_domain(c.target, "a" * 64 + ".com"))
api("verify_domain: underscore label", "domain", lambda c: sesbook.verify_domain(c.target, "bad_label.com"))
api("verify_domain: not a string", "domain", lambda c: sesbook.verify_domain(c.target, 42))  # type: ignore[arg-type]
api("verify_domain: method", "method", lambda c: sesbook.verify_domain(c.target, "example.com", method="v3"))
api("verify_domain: key length", "key_length",
    lambda c: sesbook.verify_domain(c.target, "example.com", key_length=4096))
api("verify_email: no @", "address", lambda c: sesbook.verify_email(c.target, "nobody"))
api("verify_email: two @", "address", lambda c: sesbook.verify_email(c.target, "a@b@example.com"))
api("verify_email: space", "address", lambda c: sesbook.verify_email(c.target, "a b@example.com"))
api("set_mail_from: not a subdomain", "mail_from",
    lambda c: sesbook.set_mail_from(c.target, "example.com", "bounce.example.org"))
api("set_mail_from: behaviour", "behavior_on_mx_failure",
    lambda c: sesbook.set_mail_from(c.target, "example.com", "mail.example.com", behavior_on_mx_failure="x"))
api("parse_spf: no version", "spf", lambda c: sesbook.parse_spf("include:amazonses.com ~all"))
api("parse_spf: bad CIDR", "ip4", lambda c: sesbook.parse_spf("v=spf1 ip4:10.0.0.0/33 -all"))
api("parse_spf: unknown mechanism", "spf", lambda c: sesbook.parse_spf("v=spf1 foo:bar -all"))
api("parse_spf: bad ip6", "ip6", lambda c: sesbook.parse_spf("v=spf1 ip6:zz::/200 -all"))
api("parse_spf: include without domain", "include", lambda c: sesbook.parse_spf("v=spf1 include: -all"))
api("build_dmarc: policy", "p", lambda c: sesbook.build_dmarc("block"))
api("build_dmarc: sp", "sp", lambda c: sesbook.build_dmarc("none", sp="x"))
api("build_dmarc: pct over 100", "pct", lambda c: sesbook.build_dmarc("quarantine", pct=150))
api("build_dmarc: adkim", "adkim", lambda c: sesbook.build_dmarc("none", adkim="x"))
api("build_dmarc: fo", "fo", lambda c: sesbook.build_dmarc("none", fo="9"))
api("parse_dmarc: no version", "dmarc", lambda c: sesbook.parse_dmarc("p=none"))
api("parse_dmarc: bad policy", "p", lambda c: sesbook.parse_dmarc("v=DMARC1; p=block"))
api("alignment: from domain", "from_domain", lambda c: sesbook.alignment("not a domain"))

# -- regions, credentials ------------------------------------------------------------------------------------------
api("smtp_credentials: region", "region", lambda c: smtp_credentials("AKIAIOSFODNN7EXAMPLE", "s" * 40, "mars-1"))
api("smtp_credentials: region without SES", "region",
    lambda c: smtp_credentials("AKIAIOSFODNN7EXAMPLE", "s" * 40, "cn-north-1"))
api("smtp_credentials: key id", "access_key_id", lambda c: smtp_credentials("not-a-key", "s" * 40, "us-east-1"))
api("smtp_credentials: empty secret", "secret_access_key",
    lambda c: smtp_credentials("AKIAIOSFODNN7EXAMPLE", "", "us-east-1"))
api("connect: target", "target", lambda c: sesbook.connect("prod"))
api("connect: region", "region", lambda c: sesbook.connect("lab", region="eu-central-9"))
api("connect: apply", "apply", lambda c: sesbook.connect("aws", apply="maybe"))  # type: ignore[arg-type]
api("connect: profile with lab", "profile", lambda c: sesbook.connect("lab", profile="work"))

# -- notebook parameters -------------------------------------------------------------------------------------------
api("params: target", "target", lambda c: validate_settings("staging", "us-east-1", None))
api("params: region case", "region", lambda c: validate_settings("lab", "US-EAST-1", None))
api("params: region not SES", "region", lambda c: validate_settings("aws", "us-west-1x", None))
api("params: region type", "region", lambda c: validate_settings("aws", 1, None))
api("params: profile type", "profile", lambda c: validate_settings("aws", "us-east-1", 3))

# -- receipt filters, rules, limits --------------------------------------------------------------------------------
api("ensure_filter: CIDR", "cidr", lambda c: sesbook.ensure_filter(c.target, "f1", "10.0.0.0/40"))
api("ensure_filter: host bits", "cidr", lambda c: sesbook.ensure_filter(c.target, "f1", "300.1.1.1"))
api("ensure_filter: IPv6", "cidr", lambda c: sesbook.ensure_filter(c.target, "f1", "::1/128"))
api("ensure_filter: name", "name", lambda c: sesbook.ensure_filter(c.target, "bad name!", "10.0.0.0/8"))
api("ensure_filter: policy", "policy", lambda c: sesbook.ensure_filter(c.target, "f1", "10.0.0.0/8", "Deny"))
api("allow_only: one string", "cidrs", lambda c: sesbook.allow_only(c.target, "10.0.0.0/8"))  # type: ignore[arg-type]
api("Rule: name", "name", lambda c: Rule("bad name"))
api("Rule: name too long", "name", lambda c: Rule("r" * 65))
api("Rule: recipients a string", "recipients", lambda c: Rule("r", recipients="a@example.com"))  # type: ignore[arg-type]
api("Rule: recipient", "recipients", lambda c: Rule("r", recipients=("not an address@",)))
api("Rule: too many recipients", "recipients", lambda c: Rule("r", recipients=tuple(f"u{i}@example.com"
                                                                                    for i in range(101))))
api("Rule: tls_policy", "tls_policy", lambda c: Rule("r", tls_policy="Maybe"))
api("S3Action: bucket", "bucket", lambda c: S3Action("Bad_Bucket"))
api("SNSAction: topic ARN", "topic_arn", lambda c: SNSAction("my-topic"))
api("SNSAction: encoding", "encoding",
    lambda c: SNSAction("arn:aws:sns:us-east-1:123456789012:t", encoding="UTF-16"))
api("LambdaAction: ARN", "function_arn", lambda c: LambdaAction("my-function"))
api("LambdaAction: invocation", "invocation_type",
    lambda c: LambdaAction("arn:aws:lambda:us-east-1:123456789012:function:f", invocation_type="Sync"))
api("BounceAction: SMTP code", "smtp_reply_code",
    lambda c: BounceAction(sender="mailer@example.com", smtp_reply_code="250", message="no"))
api("ensure_rule_set: name", "name", lambda c: sesbook.ensure_rule_set(c.target, "bad set!"))
api("ensure_rule_set: duplicate rules", "rules",
    lambda c: sesbook.ensure_rule_set(c.target, "rs", [Rule("r"), Rule("r")]))

# -- policy documents ----------------------------------------------------------------------------------------------
api("lint_policy: not JSON", "document", lambda c: sesbook.lint_policy("{not json"))
api("lint_policy: not an object", "document", lambda c: sesbook.lint_policy("[1, 2]"))
api("send_policy: ARN", "identity_arns", lambda c: sesbook.send_policy("example.com"))
api("send_policy: action", "actions",
    lambda c: sesbook.send_policy("arn:aws:ses:us-east-1:123456789012:identity/example.com", actions=("s3:*",)))
api("ensure_smtp_user: user name", "user_name",
    lambda c: sesbook.ensure_smtp_user(c.target, "bad user/name", {"Version": "2012-10-17", "Statement": []}))

# -- sending: addresses, sizes, attachments, templates and their data ----------------------------------------------
api("send_email: source", "source",
    lambda c: sesbook.send_email(c.target, source="nobody", to="a@example.com", subject="s", text="t"))
api("send_email: to", "to",
    lambda c: sesbook.send_email(c.target, source="a@example.com", to="b@", subject="s", text="t"))
api("send_email: no body", "text",
    lambda c: sesbook.send_email(c.target, source="a@example.com", to="b@example.com", subject="s"))
api("send_email: subject newline", "subject",
    lambda c: sesbook.send_email(c.target, source="a@example.com", to="b@example.com", subject="a\nBcc: x@y.z",
                                 text="t"))
api("send_email: 51 recipients", "to",
    lambda c: sesbook.send_email(c.target, source="a@example.com", to=[f"u{i}@example.com" for i in range(51)],
                                 subject="s", text="t"))
api("send_email: api", "api",
    lambda c: sesbook.send_email(c.target, source="a@example.com", to="b@example.com", subject="s", text="t",
                                 api="v9"))
api("send_email: tag name", "tags",
    lambda c: sesbook.send_email(c.target, source="a@example.com", to="b@example.com", subject="s", text="t",
                                 tags={"bad tag!": "v"}))
api("send_raw: over 40 MB", "message",
    lambda c: sesbook.send_raw(c.target, b"From: a@example.com\r\nTo: b@example.com\r\n\r\n" + b"x" * (40 << 20)))
api("send_raw: refused attachment", "attachments",
    lambda c: sesbook.send_raw(c.target, sesbook.build_message(source="a@example.com", to="b@example.com",
                                                               subject="s", text="t",
                                                               attachments=[Attachment("run.exe", b"MZ")])))
api("build_message: attachment not a file", "attachments",
    lambda c: sesbook.build_message(source="a@example.com", to="b@example.com", subject="s", text="t",
                                    attachments=["/nonexistent/report.pdf"]))
api("build_message: attachment a number", "attachments",
    lambda c: sesbook.build_message(source="a@example.com", to="b@example.com", subject="s", text="t",
                                    attachments=[3]))  # type: ignore[list-item]
api("build_message: header injection", "headers",
    lambda c: sesbook.build_message(source="a@example.com", to="b@example.com", subject="s", text="t",
                                    headers={"X-A": "1\r\nBcc: evil@example.org"}))
api("put_template: name", "name", lambda c: sesbook.put_template(c.target, "bad name", subject="s", text="t"))
api("put_template: no body", "text", lambda c: sesbook.put_template(c.target, "t1", subject="s"))
api("put_template: name too long", "name", lambda c: sesbook.put_template(c.target, "t" * 65, subject="s", text="t"))
api("put_template: api", "api", lambda c: sesbook.put_template(c.target, "t1", subject="s", text="t", api="smtp"))
api("send_templated: data not JSON", "data",
    lambda c: sesbook.send_templated(c.target, source="a@example.com", to="b@example.com", template="t1",
                                     data="{not json"))
api("send_templated: data a list", "data",
    lambda c: sesbook.send_templated(c.target, source="a@example.com", to="b@example.com", template="t1",
                                     data="[1]"))
api("send_templated: template name", "template",
    lambda c: sesbook.send_templated(c.target, source="a@example.com", to="b@example.com", template="",
                                     data={}))
api("send_bulk: rate", "rate",
    lambda c: sesbook.send_bulk(c.target, [], source="a@example.com", journal="/tmp/j.jsonl", rate=-1))
api("send_bulk: message without to", "messages[0]",
    lambda c: sesbook.send_bulk(c.target, [{"subject": "s"}], source="a@example.com", journal="/tmp/j.jsonl"))
api("suppress: reason", "reason", lambda c: sesbook.suppress(c.target, "a@example.com", "SPAM"))
api("suppress: address", "address", lambda c: sesbook.suppress(c.target, "nobody"))
api("request_production_access: mail type", "mail_type",
    lambda c: sesbook.request_production_access(c.target, mail_type="BULK", website_url="https://example.com",
                                                use_case="x" * 50))
api("request_production_access: website", "website_url",
    lambda c: sesbook.request_production_access(c.target, mail_type="TRANSACTIONAL", website_url="example",
                                                use_case="x" * 50))
api("set_lab_review: outcome", "outcome", lambda c: sesbook.set_lab_review(c.target, outcome="MAYBE"))
api("set_lab_review: delay", "delay_seconds", lambda c: sesbook.set_lab_review(c.target, delay_seconds=-5))


# -- the CLI -------------------------------------------------------------------------------------------------------
def cli(*argv: str) -> Callable[[Ctx], Any]:
    """Run ``sesbook ARGV`` in this process; a non-zero exit raises ``CliRefused`` with what stderr said."""
    def run(c: Ctx) -> None:
        import contextlib
        import io

        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            try:
                code = cli_main(list(argv))
            except SystemExit as exc:  # argparse: usage error
                code = exc.code if isinstance(exc.code, int) else 2
        if code:
            raise CliRefused(f"exit {code}: {err.getvalue()}")
    return run


class CliRefused(Exception):
    pass


for _id, _argv, _names in [
    ("cli: unknown command", ("deploy",), ("deploy", "choose")),
    ("cli: run --target", ("run", "--target", "prod"), ("--target", "choose")),
    ("cli: run --seed", ("run", "--seed", "one"), ("--seed", "int")),
    ("cli: run region param", ("run", "--target", "lab", "-p", "region", "mars-1", "--notebooks", "/nonexistent"),
     ("region",)),
    ("cli: run notebooks folder", ("run", "--notebooks", "/nonexistent/folder"), ("notebooks",)),
    ("cli: lab --mailbox-limit", ("lab", "--mailbox-limit", "many"), ("--mailbox-limit", "int")),
    ("cli: dns check domain", ("dns", "check", "not a domain"), ("domain",)),
]:
    CASES.append(Case(_id, cli(*_argv), CliRefused, _names))


# -- the lab's HTTP control API ------------------------------------------------------------------------------------
def control(path: str, body: bytes | str | None, method: str = "POST") -> Callable[[Ctx], Any]:
    def run(c: Ctx) -> None:
        data = body.encode() if isinstance(body, str) else body
        request = urllib.request.Request(c.target.lab.aws_endpoint + path, data=data, method=method)  # type: ignore[union-attr]
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as resp:  # noqa: S310 - loopback lab
                raise AssertionError(f"{path} accepted {body!r}: {resp.status} {resp.read()[:200]!r}")
        except urllib.error.HTTPError as exc:
            raise HttpRefused(exc.code, exc.read().decode("utf-8", "replace")) from None
    return run


class HttpRefused(Exception):
    def __init__(self, status: int, text: str) -> None:
        self.status = status
        super().__init__(f"HTTP {status}: {text}")


for _id, _path, _body, _names in [
    ("http: clock not JSON", "/_sesbook/clock", "advance=5", ("JSON",)),
    ("http: clock negative", "/_sesbook/clock", '{"advance": -1}', ("advance",)),
    ("http: clock NaN", "/_sesbook/clock", '{"advance": NaN}', ("advance",)),
    ("http: clock string", "/_sesbook/clock", '{"advance": "1h"}', ("advance",)),
    ("http: clock unknown field", "/_sesbook/clock", '{"speed": 2}', ("speed",)),
    ("http: clock freeze", "/_sesbook/clock", '{"freeze": "yes"}', ("freeze",)),
    ("http: clock a list", "/_sesbook/clock", "[1]", ("object",)),
    ("http: review outcome", "/_sesbook/account/review", '{"outcome": "MAYBE"}', ("outcome",)),
    ("http: review delay", "/_sesbook/account/review", '{"delay_seconds": "soon"}', ("delay_seconds",)),
    ("http: review a list", "/_sesbook/account/review", "[]", ("object",)),
    ("http: review not JSON", "/_sesbook/account/review", "{", ("JSON",)),
    ("http: review region", "/_sesbook/account/review", '{"region": "mars-1"}', ("region",)),
    ("http: outcomes address", "/_sesbook/feedback/outcomes", '{"address": "nobody", "outcome": "BOUNCE"}',
     ("address",)),
    ("http: outcomes outcome", "/_sesbook/feedback/outcomes", '{"address": "a@example.com", "outcome": "LOST"}',
     ("outcome",)),
    ("http: outcomes a list", "/_sesbook/feedback/outcomes", "[]", ("object",)),
    ("http: outcomes not JSON", "/_sesbook/feedback/outcomes", "{{", ("JSON",)),
]:
    CASES.append(Case(_id, control(_path, _body), HttpRefused, _names))
CASES.append(Case("http: verify-email without token", control("/_sesbook/verify-email", None, "GET"), HttpRefused,
                  ("verify",)))


# -- the SMTP servers ----------------------------------------------------------------------------------------------
class SmtpReply(Exception):
    def __init__(self, code: int, text: str) -> None:
        self.code = code
        super().__init__(f"{code} {text}")


def _server(c: Ctx, which: str) -> smtplib.SMTP:
    info = c.target.lab
    assert info is not None
    address = info.inbound_smtp if which == "inbound" else info.smtp
    assert address
    host, _, port = address.rpartition(":")
    client = smtplib.SMTP(host, int(port), timeout=TIMEOUT)
    client.ehlo("client.example.org")
    return client


def smtp_case(which: str, script: Callable[[smtplib.SMTP, Ctx], tuple[int, bytes]]) -> Callable[[Ctx], Any]:
    """Run ``script`` in a session; the reply it returns must be an error, and the server must still answer."""
    def run(c: Ctx) -> None:
        client = _server(c, which)
        try:
            code, text = script(client, c)
            alive = _server(c, which)  # the server keeps serving other sessions
            assert alive.noop()[0] == 250
            alive.close()
            if code < 400:
                raise AssertionError(f"{which}: accepted ({code} {text!r})")
            raise SmtpReply(code, text.decode("utf-8", "replace"))
        finally:
            client.close()
    return run


def _cmd(line: str) -> Callable[[smtplib.SMTP, Ctx], tuple[int, bytes]]:
    return lambda s, c: s.docmd(line)


def _over_long(s: smtplib.SMTP, c: Ctx) -> tuple[int, bytes]:
    return s.docmd("MAIL FROM:<" + "a" * 2000 + "@example.org>")


def _data_before_rcpt(s: smtplib.SMTP, c: Ctx) -> tuple[int, bytes]:
    s.mail("a@example.org")
    return s.docmd("DATA")


def _rcpt_before_mail(s: smtplib.SMTP, c: Ctx) -> tuple[int, bytes]:
    return s.docmd("RCPT TO:<aaa@example.com>")


def _unknown_recipient(s: smtplib.SMTP, c: Ctx) -> tuple[int, bytes]:
    s.mail("a@example.org")
    return s.rcpt("nobody@unknown-domain.example")


def _too_big(s: smtplib.SMTP, c: Ctx) -> tuple[int, bytes]:
    return s.mail("a@example.org", [f"SIZE={(40 << 20) + 1}"])


def _tls(s: smtplib.SMTP) -> None:
    s.starttls(context=tls.client_context())
    s.ehlo("client.example.org")


def _auth_before_tls(s: smtplib.SMTP, c: Ctx) -> tuple[int, bytes]:
    return s.docmd("AUTH PLAIN", base64.b64encode(b"\0user\0pass").decode())


def _auth_bad_base64(s: smtplib.SMTP, c: Ctx) -> tuple[int, bytes]:
    _tls(s)
    return s.docmd("AUTH PLAIN", "%%%not-base64%%%")


def _auth_wrong(s: smtplib.SMTP, c: Ctx) -> tuple[int, bytes]:
    _tls(s)
    return s.docmd("AUTH PLAIN", base64.b64encode(b"\0AKIAIOSFODNN7EXAMPLE\0wrongpassword").decode())


def _auth_mechanism(s: smtplib.SMTP, c: Ctx) -> tuple[int, bytes]:
    _tls(s)
    return s.docmd("AUTH CRAM-MD5")


def _mail_before_auth(s: smtplib.SMTP, c: Ctx) -> tuple[int, bytes]:
    _tls(s)
    return s.docmd("MAIL FROM:<a@example.com>")


def _submission_over_long(s: smtplib.SMTP, c: Ctx) -> tuple[int, bytes]:
    _tls(s)
    return s.docmd("NOOP " + "x" * 5000)


for _id, _which, _script, _code in [
    ("inbound: RCPT before MAIL", "inbound", _rcpt_before_mail, 503),
    ("inbound: DATA before RCPT", "inbound", _data_before_rcpt, 503),
    ("inbound: over-long line", "inbound", _over_long, 500),
    ("inbound: bad SIZE parameter", "inbound", _cmd("MAIL FROM:<a@example.org> SIZE=abc"), 501),
    ("inbound: unknown recipient", "inbound", _unknown_recipient, 550),
    ("inbound: SIZE over 40 MB", "inbound", _too_big, 552),
    ("inbound: unknown command", "inbound", _cmd("FROB"), 500),
    ("inbound: AUTH", "inbound", _cmd("AUTH PLAIN AGZvbwBiYXI="), 538),
    ("submission: AUTH before STARTTLS", "submission", _auth_before_tls, 530),
    ("submission: AUTH bad base64", "submission", _auth_bad_base64, 501),
    ("submission: AUTH wrong credentials", "submission", _auth_wrong, 535),
    ("submission: AUTH mechanism", "submission", _auth_mechanism, 504),
    ("submission: MAIL before AUTH", "submission", _mail_before_auth, 530),
    ("submission: RCPT before MAIL", "submission", _rcpt_before_mail, 530),
    ("submission: over-long line", "submission", _submission_over_long, 500),
]:
    CASES.append(Case(_id, smtp_case(_which, _script), _code, ()))


# -- the test ------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ctx(lab: Lab) -> Iterator[Ctx]:
    """One reset lab for the whole table (the cases change nothing or fail before any change)."""
    lab.reset()
    target = sesbook.connect("lab")
    verify_domain_now(target, "example.com")
    target.s3.create_bucket(Bucket="inbox")
    let_ses_write(target, "inbox")
    target.ses.create_receipt_rule_set(RuleSetName="rs")
    target.ses.create_receipt_rule(RuleSetName="rs", Rule={"Name": "aaa", "Enabled": True, "Recipients": [
        "aaa@example.com"], "Actions": [{"S3Action": {"BucketName": "inbox"}}]})
    target.ses.set_active_receipt_rule_set(RuleSetName="rs")
    yield Ctx(target, lab)


def test_the_table_is_big_enough() -> None:
    assert len(CASES) >= 80, len(CASES)
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"


def _deep_frames(exc: BaseException) -> list[str]:
    """Files of the frames an exception came from that are inside botocore, boto3 or moto."""
    import traceback

    return [f.filename for f in traceback.extract_tb(exc.__traceback__)
            if any(part in f.filename for part in ("/botocore/", "/boto3/", "/moto/"))]


@pytest.mark.parametrize("bad", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_refused_plainly(bad: Case, ctx: Ctx) -> None:
    if isinstance(bad.expect, int):
        with pytest.raises(SmtpReply) as smtp_caught:
            bad.call(ctx)
        assert smtp_caught.value.code == bad.expect, str(smtp_caught.value)
        assert len(str(smtp_caught.value)) > 8, "the reply says something"
        return
    with pytest.raises(BaseException) as caught:  # noqa: PT011 - the type is checked below, with the message
        bad.call(ctx)
    exc = caught.value
    assert isinstance(exc, bad.expect), f"{type(exc).__module__}.{type(exc).__name__}: {exc}"
    assert not _deep_frames(exc), f"raised from inside boto3/moto: {exc!r}"
    text = str(exc)
    if isinstance(exc, HttpRefused):
        assert 400 <= exc.status < 500, text
    for name in bad.names:
        assert name.lower() in text.lower(), f"{name!r} not named in: {text}"
    if isinstance(exc, errors.ValidationError):
        assert exc.field and exc.field in text
    lowered = text.lower()
    assert any(word in lowered for word in REMEDY) or re.search(r"\b\d+-\d+ ", text), \
        f"does not say what to do: {text}"
