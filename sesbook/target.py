"""``connect()``: one object that holds everything a notebook needs to talk to SES, in the lab or in AWS.

Against AWS every change (any operation that is not a read, see :func:`sesbook._aws.is_mutating`)
passes one gate: unless the target was made with ``apply=True`` it is recorded in ``target.plan`` and
not sent. The gate is a botocore ``before-call`` handler, so it covers every client the target hands out,
including raw boto3 calls a notebook makes itself.
"""

from __future__ import annotations

import contextlib
import logging
import os
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors, is_mutating
from sesbook._validate import parse_bool
from sesbook.checks import CheckResult, Finding
from sesbook.errors import TargetError, ValidationError
from sesbook.facts import REGION_RE as _REGION_RE
from sesbook.facts import SES_REGIONS, ses_regions_hint
from sesbook.plan import PLANNED_REQUEST_ID, Plan, PlannedCall, redact

if TYPE_CHECKING:
    from collections.abc import Iterator

    import boto3
    import dns.resolver

    from sesbook.lab import LabInfo

log = logging.getLogger("sesbook")

#: ``HOST:PORT`` of a DNS server the aws target's resolver asks instead of the system's (opt-in; e.g. a
#: lab's DNS when AWS_ENDPOINT_URL points boto3 at that lab, or a resolver that sees a zone first).
ENV_NAMESERVER = "SESBOOK_NAMESERVER"

TARGETS = ("lab", "aws")
SERVICES = ("ses", "sesv2", "s3", "sns", "sqs", "route53", "iam", "lambda", "cloudwatch", "sts")


class _SearchPaths(list):  # type: ignore[type-arg]
    """A loader's search paths that take each path once: every boto3 Session appends its own data folder."""

    def append(self, path: Any) -> None:
        if path not in self:
            super().append(path)


_LOADER: Any = None


def _botocore_session() -> Any:
    """A new botocore session that reads AWS's model files through one loader per process.

    Each botocore session otherwise parses ``endpoints.json`` and every service model it uses again
    (about 0.25 s for the endpoints alone); a notebook or a test that connects more than once paid that
    each time. The loader only reads files and caches what it read, so sessions can share it; everything
    else (credentials, the target's event handlers, the clients) stays per session.
    """
    import botocore.loaders
    import botocore.session

    global _LOADER
    session = botocore.session.Session()
    if _LOADER is None:
        loader = botocore.loaders.create_loader(session.get_config_variable("data_path"))
        loader._search_paths = _SearchPaths(loader.search_paths)  # noqa: SLF001 - see _SearchPaths
        _LOADER = loader
    session.register_component("data_loader", _LOADER)
    return session


@dataclass(frozen=True)
class Endpoints:
    """Where the target's traffic goes: the AWS API, DNS, and mail in and out."""

    aws: str | None
    dns: str | None
    inbound_smtp: str | None
    smtp: str | None
    mailbox: str | None

    def _repr_html_(self) -> str:
        return _html.table(["what", "where", "used for"], self.rows(), caption="endpoints")

    def rows(self) -> list[tuple[str, str | None, str]]:
        return [
            ("AWS API", self.aws or "AWS's public endpoints", "boto3 clients"),
            ("DNS", self.dns or "the system resolver", "checking published records"),
            ("Inbound SMTP", self.inbound_smtp, "mail to your domain (MX)"),
            ("SMTP interface", self.smtp, "sending with SMTP credentials"),
            ("Mailbox", self.mailbox, "mail the lab delivered to outside addresses"),
        ]


def _parse_host_port(text: str) -> tuple[str, int]:
    """``127.0.0.1:5353`` or ``[::1]:53`` -> (IP, port); ``ValidationError`` naming SESBOOK_NAMESERVER."""
    import ipaddress

    host, sep, port = text.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        ipaddress.ip_address(host)
        number = int(port)
    except ValueError:
        number = 0
    if not sep or not 0 < number < 65536:
        raise ValidationError(
            ENV_NAMESERVER, text, "must be IP:PORT (an IP address and a port from 1 to 65535).",
            hint="For example 127.0.0.1:53535 or [::1]:53; unset it to use the system resolver.",
        )
    return host, number


def validate_settings(target: object, region: object, profile: object) -> None:
    """Check ``target``, ``region`` and ``profile`` as :func:`connect` takes them, before anything starts.

    The region must be one where SES runs (:data:`sesbook.facts.SES_REGIONS`, a dated list), for the
    lab too: a lab region SES does not have would teach something AWS cannot do. The CLI and the runbook
    runner call this too, so every way in says the same.
    """
    if target not in TARGETS:
        raise ValidationError(
            "target", target, "must be 'lab' or 'aws'.",
            hint="Use 'lab' to run offline against the local SES stand-in, 'aws' for a real account.",
        )
    if not isinstance(region, str) or not _REGION_RE.match(region):
        raise ValidationError("region", region, "is not an AWS region name.", hint=ses_regions_hint())
    if region not in SES_REGIONS:
        raise ValidationError("region", region, "is not a region where SES runs (not every AWS region has SES).",
                              hint=ses_regions_hint())
    if profile is not None and not isinstance(profile, str):
        raise ValidationError("profile", profile, "must be the name of an AWS profile.",
                              hint="List them with `aws configure list-profiles`.")
    if profile and target == "lab":
        raise ValidationError(
            "profile", profile, "is only used with target='aws'.",
            hint="The lab needs no credentials; drop the profile or set target='aws'.",
        )


_validate = validate_settings  # the name connect() calls


def connect(
    target: str = "lab",
    *,
    region: str = "us-east-1",
    profile: str | None = None,
    apply: bool = False,
) -> Target:
    """Connect to the lab (default) or to AWS and return a :class:`Target`.

    - ``"lab"``: attaches to a lab announced by ``SESBOOK_LAB`` or the lab state file, otherwise starts
      a private lab in this process (stopped at exit). Changes are always applied.
    - ``"aws"``: credentials come from ``profile`` or the environment, never from a parameter. Changes are
      only sent when ``apply=True``; otherwise they are recorded in ``target.plan``.

    ``apply`` is a bool; the text spellings true/false, yes/no, on/off and 1/0 are parsed as such,
    anything else raises :class:`ValidationError`. Opens no connection itself: clients are made on first use.
    """
    profile = profile or None  # notebooks pass "" for "no profile" (papermill cannot parse `str | None`)
    _validate(target, region, profile)
    apply = parse_bool("apply", apply)  # "false" from a CLI or YAML must never turn changes on
    if target == "lab":
        from sesbook.lab import ensure_lab

        info = ensure_lab(region=region)
        return Target("lab", region=region, profile=None, apply=True, lab=info)
    return Target("aws", region=region, profile=profile, apply=apply, lab=None)


class Target:
    """The boto3 session and clients, the DNS resolver and the mail endpoints of one target.

    Clients: ``ses``, ``sesv2``, ``s3``, ``sns``, ``sqs``, ``route53``, ``iam``, ``lambda_``,
    ``cloudwatch``, ``sts`` (or ``client(name)``). ``plan`` holds what was not sent.
    """

    def __init__(
        self, name: str, *, region: str, profile: str | None, apply: bool, lab: LabInfo | None
    ) -> None:
        self.name = name
        self.region = region
        self.profile = profile
        self.apply = apply
        self.lab = lab
        self.plan = Plan()
        self._dry_run_depth = 0
        self._clients: dict[str, Any] = {}

    # -- identity ---------------------------------------------------------------------------------
    @property
    def is_lab(self) -> bool:
        return self.name == "lab"

    @property
    def planning(self) -> bool:
        """True while changes are recorded instead of sent."""
        return (not self.apply) or self._dry_run_depth > 0

    @cached_property
    def account_id(self) -> str:
        if self.lab is not None:
            return self.lab.account_id
        with aws_errors("sts"):
            return str(self.sts.get_caller_identity()["Account"])

    @cached_property
    def endpoints(self) -> Endpoints:
        if self.lab is not None:
            return Endpoints(
                aws=self.lab.aws_endpoint,
                dns=self.lab.dns,
                inbound_smtp=self.lab.inbound_smtp,
                smtp=self.lab.smtp,
                mailbox=f"{self.lab.aws_endpoint}/_aws/ses",
            )
        nameserver = self._nameserver
        return Endpoints(
            aws=None,
            dns=f"{nameserver[0]}:{nameserver[1]}" if nameserver else None,
            inbound_smtp=f"inbound-smtp.{self.region}.amazonaws.com:25",
            smtp=f"email-smtp.{self.region}.amazonaws.com:587",
            mailbox=None,
        )

    # -- boto3 --------------------------------------------------------------------------------------
    @cached_property
    def session(self) -> boto3.Session:
        import boto3
        from botocore.exceptions import ProfileNotFound

        try:
            if self.lab is not None:
                session = boto3.Session(
                    aws_access_key_id="testing",
                    aws_secret_access_key="testing",  # noqa: S106 - the lab's dummy key
                    region_name=self.region,
                    botocore_session=_botocore_session(),
                )
            else:
                session = boto3.Session(profile_name=self.profile, region_name=self.region,
                                        botocore_session=_botocore_session())
                if self.profile is not None and self.profile not in session.available_profiles:
                    raise ProfileNotFound(profile=self.profile)  # what botocore's own loader used to find
        except ProfileNotFound as exc:
            raise TargetError(
                f"AWS profile {self.profile!r} not found. List profiles with `aws configure list-profiles` "
                "or leave profile=None to use the environment's credentials."
            ) from exc
        session.events.register("before-parameter-build.*.*", self._remember_params)
        session.events.register("before-call.*.*", self._gate)
        return session

    def client(self, service: str) -> Any:
        """The boto3 client for ``service`` (one of ``SERVICES``), made once and kept."""
        if service not in SERVICES:
            raise ValidationError("service", service, f"is not one of {', '.join(SERVICES)}.")
        if service not in self._clients:
            from botocore.config import Config

            config = Config(
                retries={"mode": "standard", "max_attempts": 3 if self.lab is None else 1},
                s3={"addressing_style": "path"} if self.lab is not None else {},
                connect_timeout=5 if self.lab is not None else 30,
                read_timeout=30 if self.lab is not None else 60,
            )
            kwargs: dict[str, Any] = {"config": config}
            if self.lab is not None:
                kwargs["endpoint_url"] = self.lab.aws_endpoint
            self._clients[service] = self.session.client(service, **kwargs)  # type: ignore[call-overload]
        return self._clients[service]

    ses = property(lambda self: self.client("ses"))
    sesv2 = property(lambda self: self.client("sesv2"))
    s3 = property(lambda self: self.client("s3"))
    sns = property(lambda self: self.client("sns"))
    sqs = property(lambda self: self.client("sqs"))
    route53 = property(lambda self: self.client("route53"))
    iam = property(lambda self: self.client("iam"))
    lambda_ = property(lambda self: self.client("lambda"))
    cloudwatch = property(lambda self: self.client("cloudwatch"))
    sts = property(lambda self: self.client("sts"))

    # -- DNS ----------------------------------------------------------------------------------------
    @cached_property
    def resolver(self) -> dns.resolver.Resolver:
        """A dnspython resolver: the lab's DNS server in the lab, the system's resolver for AWS."""
        import dns.resolver

        if self.lab is None and self._nameserver is None:
            return dns.resolver.Resolver()
        host, port = self.lab.dns_host_port if self.lab is not None else self._nameserver  # type: ignore[misc]
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [host]
        resolver.port = port
        resolver.timeout = 2.0
        resolver.lifetime = 5.0
        return resolver

    @cached_property
    def _nameserver(self) -> tuple[str, int] | None:
        """``$SESBOOK_NAMESERVER`` as (IP, port) for the aws target; None when unset (the system resolver)."""
        if self.lab is not None:
            return None
        text = os.environ.get(ENV_NAMESERVER, "").strip()
        return _parse_host_port(text) if text else None

    # -- the plan gate ---------------------------------------------------------------------------------
    @staticmethod
    def _remember_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["sesbook_params"] = redact(params)  # a copy; secrets never reach the plan or the log

    def _gate(self, model: Any, context: dict[str, Any], **_: Any) -> Any:
        if not self.planning or not is_mutating(model.name):
            return None
        from botocore.awsrequest import AWSResponse

        service = model.service_model.service_name
        call = PlannedCall(service, model.name, context.get("sesbook_params", {}))
        self.plan.add(call)
        log.info("planned, not sent: %s", call)
        http = AWSResponse("planned://" + service, 200, {}, None)
        parsed = {
            "ResponseMetadata": {
                "RequestId": PLANNED_REQUEST_ID, "HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0,
            }
        }
        return http, parsed

    @contextlib.contextmanager
    def dry_run(self) -> Iterator[Plan]:
        """Record changes made inside the block instead of sending them, whatever the target.

        Yields a fresh :class:`Plan` holding only what the block asked for.
        """
        before = len(self.plan)
        self._dry_run_depth += 1
        block = Plan()
        try:
            yield block
        finally:
            self._dry_run_depth -= 1
            block.calls.extend(self.plan.calls[before:])

    # -- display ------------------------------------------------------------------------------------
    def _summary_rows(self) -> list[tuple[str, Any]]:
        mode = "apply" if not self.planning else "plan only (apply=False)"
        rows: list[tuple[str, Any]] = [("target", self.name), ("region", self.region)]
        if self.name == "aws":
            rows.append(("profile", self.profile or "(environment)"))
        rows.append(("changes", mode))
        return rows

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self._summary_rows())
        return f"Target({fields})"

    def _repr_html_(self) -> str:
        # The settings only: ``target.endpoints`` shows where each service listens, once, where it is asked for.
        return _html.table(["setting", "value"], self._summary_rows(), caption="sesbook target")


@dataclass(frozen=True, repr=False)
class TargetCheck(CheckResult):
    """Whether a target answers: each probe with its outcome; ``ok`` only when all passed."""

    target: str
    checks: tuple[tuple[str, bool, str], ...]
    title = "check_target"

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(Finding(name, "ok" if passed else "problem", f"{name}: {detail}")
                     for name, passed, detail in self.checks)

    def heading(self) -> str:
        return f"check_target: {self.target}: {'ok' if self.ok else 'problems'}"



def check_target(target: Target) -> TargetCheck:
    """Probe the target with read-only calls: the SES API and DNS. Never raises for a failed probe."""
    import dns.exception
    import dns.resolver

    from sesbook.errors import SesbookError

    checks: list[tuple[str, bool, str]] = []
    try:
        with aws_errors("ses"):
            quota = target.ses.get_send_quota()
        checks.append(("SES API", True, f"GetSendQuota answered: {quota['Max24HourSend']:g} messages per 24 h"))
    except SesbookError as exc:
        checks.append(("SES API", False, str(exc)))
    probe = "amazonses.com" if target.is_lab else f"email.{target.region}.amazonaws.com"
    try:
        answer = target.resolver.resolve(probe, "A", raise_on_no_answer=False)
        server = target.endpoints.dns or "the system resolver"
        checks.append(("DNS", True, f"{probe} A: {len(answer.rrset or [])} record(s) from {server}"))
    except dns.resolver.NXDOMAIN:
        checks.append(("DNS", True, f"{probe}: NXDOMAIN (the server answered)"))
    except dns.exception.DNSException as exc:
        checks.append(("DNS", False, f"no answer for {probe}: {exc}"))
    return TargetCheck(target.name, tuple(checks))
