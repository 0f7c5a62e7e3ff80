"""Deploy the sender gate: the Lambda function a receipt rule calls to accept mail only from listed senders.

SES matches receipt rules on recipients only; there is no condition on the sender's address (Developer
Guide, "Email receiving concepts", https://docs.aws.amazon.com/ses/latest/dg/receiving-email-concepts.html,
checked 2026). The way to do it is a rule with a Lambda action, ``InvocationType`` ``RequestResponse``,
whose function answers ``STOP_RULE_SET`` for senders it does not know
(:mod:`sesbook.receiving.lambdas.sender_gate`, the handler, kept in the package as a source file).

:func:`sender_gate_package` zips the handler (the same bytes every time, so an unchanged function is not
updated again); :func:`deploy_sender_gate` makes the function's IAM role and the function, or updates
its code and its list. The permission SES needs to call it is separate
(:func:`sesbook.receiving.policies.apply_lambda_permission`), since it names the rule.

IAM: ``iam:GetRole``, ``iam:CreateRole``, ``iam:PassRole``, ``lambda:GetFunction``, ``lambda:CreateFunction``,
``lambda:UpdateFunctionCode``, ``lambda:UpdateFunctionConfiguration``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import time
import zipfile
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.dns.domains import normalize_domain
from sesbook.errors import AwsError, ValidationError
from sesbook.plan import was_planned

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sesbook.target import Target

__all__ = ["GateDeployment", "deploy_sender_gate", "sender_gate_package", "sender_gate_source"]

log = logging.getLogger("sesbook")

HANDLER_MODULE = "sender_gate"
HANDLER = f"{HANDLER_MODULE}.handler"
RUNTIME = "python3.12"
#: SES waits at most 30 seconds for a RequestResponse answer; the gate answers in well under one.
TIMEOUT = 10
_TRUST = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
_FUNCTION_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def sender_gate_source() -> str:
    """The handler's source (``sesbook/receiving/lambdas/sender_gate.py``)."""
    return resources.files("sesbook.receiving.lambdas").joinpath(f"{HANDLER_MODULE}.py").read_text("utf-8")


def sender_gate_package() -> bytes:
    """The deployment package: a zip holding ``sender_gate.py`` at its root, byte-for-byte the same each time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(f"{HANDLER_MODULE}.py", date_time=(2026, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        archive.writestr(info, sender_gate_source())
    return buffer.getvalue()


def _sha256(data: bytes) -> str:
    """Lambda's ``CodeSha256``: the base64 of the package's SHA-256."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def _allowed(allowed: Iterable[str]) -> tuple[str, ...]:
    if isinstance(allowed, str):
        raise ValidationError("allowed", allowed, "must be a list of addresses or @domains, not one string.",
                              hint=f"Write allowed=[{allowed!r}].")
    items: list[str] = []
    for index, item in enumerate(allowed):
        if not isinstance(item, str) or not item.strip():
            raise ValidationError(f"allowed[{index}]", item, "must be an address or '@domain'.")
        local, at, domain = item.strip().rpartition("@")
        # senders are anyone's addresses (a test domain too): the local part is checked for shape only
        if not at or any(c.isspace() or c in "<>,\"" for c in local) or not local.isascii():
            raise ValidationError(f"allowed[{index}]", item, "must be an address (name@domain) or '@domain'.",
                                  hint="For example 'friend@partner.example' or '@partner.example'.")
        items.append(f"{local.lower()}@{normalize_domain(domain, field=f'allowed[{index}]')}")
    if not items:
        raise ValidationError("allowed", [], "is empty: the gate would stop every message.",
                              hint="List at least one sender address or @domain.")
    value = ",".join(dict.fromkeys(items))
    if len(value) > 4000:
        raise ValidationError("allowed", f"{len(value)} characters", "is too long for a Lambda environment "
                              "variable (4 KB for all of them).", hint="Allow whole domains ('@partner.test').")
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True)
class GateDeployment:
    """What :func:`deploy_sender_gate` did: the function's ARN, its role, the list, and the outcome
    (``created``, ``updated`` or ``unchanged``; ``planned``: recorded in the plan, not made)."""

    function_arn: str
    role_arn: str
    allowed: tuple[str, ...]
    outcome: str
    planned: bool

    def _rows(self) -> list[tuple[str, str]]:
        return [("function", self.function_arn), ("role", self.role_arn), ("handler", HANDLER),
                ("allowed senders", ", ".join(self.allowed)),
                ("outcome", self.outcome + (" (planned, not sent)" if self.planned else ""))]

    def __repr__(self) -> str:
        return "sender gate\n" + _html.text_table(["", ""], self._rows())

    def _repr_html_(self) -> str:
        return _html.table(["", ""], self._rows(), caption="sender gate")


def _ensure_role(target: Target, name: str) -> str:
    arn = f"arn:aws:iam::{target.account_id}:role/{name}"
    try:
        with aws_errors("iam"):
            return str(target.iam.get_role(RoleName=name)["Role"]["Arn"])
    except AwsError as exc:
        if exc.code != "NoSuchEntity":
            raise
    with aws_errors("iam"):
        made = target.iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(_TRUST),
                                      Description="Runs the sesbook sender gate (a receipt rule's Lambda)")
    return str((made.get("Role") or {}).get("Arn") or arn)


def _create(target: Target, kwargs: dict[str, Any]) -> dict[str, Any]:
    """CreateFunction, retried for a short while when IAM has not yet shown the new role to Lambda."""
    for attempt in range(8):
        try:
            with aws_errors("lambda"):
                return dict(target.lambda_.create_function(**kwargs))
        except AwsError as exc:
            if exc.code != "InvalidParameterValueException" or "assume" not in str(exc) or attempt == 7:
                raise
            time.sleep(2 + attempt)  # AWS only: a new role takes seconds to reach Lambda
    raise AssertionError("unreachable")


def deploy_sender_gate(target: Target, allowed: Iterable[str], *, name: str = "sesbook-sender-gate",
                       role: str | None = None) -> GateDeployment:
    """Deploy (or update) the sender gate as Lambda function ``name`` letting ``allowed`` through.

    ``allowed``: addresses (``friend@partner.test``) or whole domains (``@partner.test``). ``role``: the
    IAM role the function runs as (default ``NAME-role``, made when missing, with no permissions: the
    gate calls no AWS service). Idempotent: the package and the list are compared, and only what
    differs is updated.
    """
    if not isinstance(name, str) or not 1 <= len(name) <= 64 or not set(name) <= _FUNCTION_NAME_CHARS:
        raise ValidationError("name", name, "must be 1-64 letters, digits, hyphens or underscores (a Lambda "
                              "function name).")
    senders = _allowed(allowed)
    role_name = role or f"{name}-role"
    if not isinstance(role_name, str) or not 1 <= len(role_name) <= 64:
        raise ValidationError("role", role, "must be an IAM role name of 1-64 characters.")
    package = sender_gate_package()
    environment = {"Variables": {"ALLOWED_SENDERS": ",".join(senders)}}
    arn = f"arn:aws:lambda:{target.region}:{target.account_id}:function:{name}"
    current: dict[str, Any] | None = None
    try:
        with aws_errors("lambda"):
            current = target.lambda_.get_function(FunctionName=name)
    except AwsError as exc:
        if exc.code != "ResourceNotFoundException":
            raise
    planned = False
    if current is None:
        role_arn = _ensure_role(target, role_name)
        made = _create(target, {"FunctionName": name, "Runtime": RUNTIME, "Role": role_arn, "Handler": HANDLER,
                                "Code": {"ZipFile": package}, "Timeout": TIMEOUT, "Environment": environment,
                                "Description": "sesbook sender gate: STOP_RULE_SET for unlisted senders"})
        planned = was_planned(made)
        result = GateDeployment(str(made.get("FunctionArn") or arn), role_arn, senders, "created", planned)
        log.info("deploy_sender_gate: %s created%s", name, " (planned)" if planned else "")
        return result
    config = current.get("Configuration") or {}
    role_arn = str(config.get("Role", ""))
    outcome = "unchanged"
    with aws_errors("lambda"):
        if config.get("CodeSha256") != _sha256(package):
            planned = was_planned(target.lambda_.update_function_code(FunctionName=name, ZipFile=package)) or planned
            outcome = "updated"
        have = (config.get("Environment") or {}).get("Variables") or {}
        if have != environment["Variables"] or config.get("Handler") != HANDLER:
            if outcome == "updated" and not planned and target.lab is None:  # AWS: one update at a time
                target.lambda_.get_waiter("function_updated_v2").wait(FunctionName=name)
            planned = was_planned(target.lambda_.update_function_configuration(
                FunctionName=name, Environment=environment, Handler=HANDLER)) or planned
            outcome = "updated"
    log.info("deploy_sender_gate: %s %s", name, outcome)
    return GateDeployment(str(config.get("FunctionArn") or arn), role_arn, senders, outcome, planned)
