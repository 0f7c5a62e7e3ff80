"""An IAM user for SES's SMTP interface: a send policy scoped to identities, the user, and its access key.

SES authorises every send as an IAM action on the sending identity (SES Developer Guide, "Controlling
access to Amazon SES", https://docs.aws.amazon.com/ses/latest/dg/control-user-access.html, checked 2026):
the SMTP interface needs ``ses:SendRawEmail`` on ``arn:aws:ses:REGION:ACCOUNT:identity/NAME`` (an address or a
domain identity), and the condition key ``ses:FromAddress`` limits which From addresses the user may use.
:func:`send_policy` builds that document; :func:`ensure_smtp_user` applies it as an inline policy of a user
kept for SMTP only and gives that user a fresh access key, whose secret is returned once and shown nowhere.

IAM permissions for the aws target (the notebook's own credentials): ``iam:GetUser``, ``iam:CreateUser``,
``iam:PutUserPolicy``, ``iam:ListAccessKeys``, ``iam:DeleteAccessKey``, ``iam:CreateAccessKey``, and
``sts:GetCallerIdentity`` for :func:`identity_arn`.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook._redact import REDACTED
from sesbook.errors import AwsError, ValidationError
from sesbook.facts import SES_REGIONS
from sesbook.plan import was_planned
from sesbook.smtp import SmtpCredentials, smtp_credentials

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sesbook.target import Target

log = logging.getLogger("sesbook")

#: An SES identity ARN: partition, region, account, ``identity/`` and an address or a domain (``*`` allowed,
#: as IAM allows wildcards in resources).
IDENTITY_ARN_RE = re.compile(
    r"^arn:(?P<partition>aws|aws-cn|aws-us-gov):ses:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):identity/(?P<name>[^\s/]+)$"
)
#: An SES action in a policy (``ses:SendRawEmail``, ``ses:Send*``).
ACTION_RE = re.compile(r"^ses:[A-Za-z*?]+$")
#: IAM names (IAM API Reference: user names 1-64 and policy names 1-128 of ``[\w+=,.@-]``).
USER_NAME_RE = re.compile(r"^[\w+=,.@-]{1,64}$")
POLICY_NAME_RE = re.compile(r"^[\w+=,.@-]{1,128}$")
#: The inline policy's name when none is given.
DEFAULT_POLICY_NAME = "sesbook-ses-send"


def identity_arn(target: Target, identity: str) -> str:
    """The ARN of the SES identity ``identity`` (``example.com`` or ``ann@example.com``) in ``target``'s region."""
    if not isinstance(identity, str) or not identity or any(c.isspace() or c == "/" for c in identity):
        raise ValidationError("identity", identity, "must be an email address or a domain name.")
    partition = "aws-us-gov" if target.region.startswith("us-gov-") else "aws"
    return f"arn:{partition}:ses:{target.region}:{target.account_id}:identity/{identity}"


def _check_arns(identity_arns: Sequence[str] | str) -> list[str]:
    arns = [identity_arns] if isinstance(identity_arns, str) else list(identity_arns or [])
    if not arns:
        raise ValidationError("identity_arns", identity_arns, "needs at least one SES identity ARN.",
                              hint="Build them with sesbook.identity_arn(target, 'example.com').")
    for arn in arns:
        found = IDENTITY_ARN_RE.match(arn) if isinstance(arn, str) else None
        if found is None:
            raise ValidationError(
                "identity_arns", arn, "is not an SES identity ARN (arn:aws:ses:REGION:ACCOUNT:identity/NAME).",
                hint="Build it with sesbook.identity_arn(target, 'example.com').",
            )
        if found["region"] not in SES_REGIONS:
            raise ValidationError("identity_arns", arn, f"names {found['region']}, a region where SES does not run.")
    return arns


def send_policy(
    identity_arns: Sequence[str] | str,
    from_addresses: Iterable[str] | None = None,
    actions: Sequence[str] = ("ses:SendRawEmail",),
) -> dict[str, Any]:
    """An IAM policy document allowing ``actions`` (SMTP needs ``ses:SendRawEmail``) on the given identities.

    ``from_addresses`` (optional) adds the condition ``StringLike ses:FromAddress``: the user may then send only
    with those From addresses (``*`` and ``?`` work as wildcards, e.g. ``*@example.com``).
    """
    arns = _check_arns(identity_arns)
    acts = [actions] if isinstance(actions, str) else list(actions or [])
    if not acts or not all(isinstance(a, str) and ACTION_RE.match(a) for a in acts):
        raise ValidationError("actions", actions, "must be SES actions such as 'ses:SendRawEmail'.",
                              hint="The SMTP interface is authorised as ses:SendRawEmail.")
    statement: dict[str, Any] = {"Sid": "SendAsIdentities", "Effect": "Allow", "Action": acts, "Resource": arns}
    if from_addresses is not None:
        senders = [from_addresses] if isinstance(from_addresses, str) else list(from_addresses)
        if not senders or not all(isinstance(a, str) and "@" in a and not any(c.isspace() for c in a)
                                  for a in senders):
            raise ValidationError("from_addresses", from_addresses, "must be email addresses (wildcards allowed).",
                                  hint="For example ['news@example.com'] or ['*@example.com'].")
        statement["Condition"] = {"StringLike": {"ses:FromAddress": senders}}
    return {"Version": "2012-10-17", "Statement": [statement]}


@dataclass(frozen=True)
class SmtpUser:
    """The IAM user for SMTP and its new access key. ``secret_access_key`` is never shown (repr, HTML, plan);
    use :meth:`credentials` to turn the key into SMTP credentials."""

    user_name: str
    user_arn: str | None
    policy_name: str
    region: str
    access_key_id: str | None
    secret_access_key: str | None = field(repr=False, default=None)
    created_user: bool = False
    deleted_keys: tuple[str, ...] = ()
    planned: bool = False

    def credentials(self) -> SmtpCredentials:
        """SMTP credentials for the target's region, derived from the new key."""
        if self.access_key_id is None or self.secret_access_key is None:
            raise ValidationError("access_key_id", None, "there is no access key: it was planned, not created.",
                                  hint="Run with apply=True to create the user's key.")
        return smtp_credentials(self.access_key_id, self.secret_access_key, self.region)

    def _rows(self) -> list[tuple[str, object]]:
        return [("user", self.user_name), ("ARN", self.user_arn or "(planned)"), ("inline policy", self.policy_name),
                ("access key id", self.access_key_id or "(planned)"),
                ("secret access key", REDACTED if self.secret_access_key else "(none)"),
                ("user created now", self.created_user), ("old keys deleted", ", ".join(self.deleted_keys) or "none")]

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in (
            ("user_name", self.user_name), ("access_key_id", self.access_key_id), ("secret_access_key", REDACTED),
            ("policy_name", self.policy_name), ("planned", self.planned)))
        return f"SmtpUser({fields})"

    def _repr_html_(self) -> str:
        caption = "SMTP user (planned, not created)" if self.planned else "SMTP user"
        return _html.table(["", "value"], self._rows(), caption=caption)


def ensure_smtp_user(
    target: Target,
    user_name: str,
    policy: dict[str, Any],
    *,
    policy_name: str = DEFAULT_POLICY_NAME,
) -> SmtpUser:
    """Make ``user_name`` an IAM user that may send with ``policy``, and give it one fresh access key.

    Idempotent: the user is created when missing, the inline policy ``policy_name`` is put (replacing the
    previous version), and the user's existing access keys are **deleted** before a new one is made, so a re-run
    leaves one working key (IAM allows two per user, and a secret can be read only when its key is created).
    Use a user kept for SMTP only. On a target that only plans, every change is recorded and none is made.
    """
    if not isinstance(user_name, str) or not USER_NAME_RE.match(user_name):
        raise ValidationError("user_name", user_name, "is not an IAM user name (1-64 of letters, digits, +=,.@_-).")
    if not isinstance(policy_name, str) or not POLICY_NAME_RE.match(policy_name):
        raise ValidationError("policy_name", policy_name,
                              "is not an IAM policy name (1-128 of letters, digits, +=,.@_-).")
    if not isinstance(policy, dict) or not isinstance(policy.get("Statement"), list | dict):
        raise ValidationError("policy", policy, "must be a policy document with a Statement.",
                              hint="Build it with sesbook.send_policy(...).")
    iam = target.iam
    created = False
    user_arn: str | None = None
    with aws_errors("iam"):
        try:
            user_arn = str(iam.get_user(UserName=user_name)["User"]["Arn"])
        except iam.exceptions.NoSuchEntityException:
            made = iam.create_user(UserName=user_name, Tags=[{"Key": "purpose", "Value": "ses-smtp"}])
            created = True
            user_arn = None if was_planned(made) else str(made["User"]["Arn"])
        iam.put_user_policy(UserName=user_name, PolicyName=policy_name, PolicyDocument=json.dumps(policy))
        old: list[str] = []
        if not (created and user_arn is None):  # a planned user has no keys to list
            old = [k["AccessKeyId"] for k in iam.list_access_keys(UserName=user_name)["AccessKeyMetadata"]]
        for key_id in old:
            iam.delete_access_key(UserName=user_name, AccessKeyId=key_id)
        made_key = iam.create_access_key(UserName=user_name)
    planned = was_planned(made_key)
    key = {} if planned else made_key["AccessKey"]
    if not planned and not key.get("SecretAccessKey"):
        raise AwsError("iam.CreateAccessKey", "NoSecret", "IAM returned no secret access key.")
    log.info("SMTP user %s: key %s%s", user_name, key.get("AccessKeyId", "(planned)"),
             f", replaced {len(old)} old key(s)" if old else "")
    return SmtpUser(user_name, user_arn, policy_name, target.region, key.get("AccessKeyId"),
                    key.get("SecretAccessKey"), created_user=created, deleted_keys=tuple(old), planned=planned)
