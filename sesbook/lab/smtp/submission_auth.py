"""Who may send through the lab's SMTP interface: SMTP credentials of a lab IAM user, and that user's policies.

**AUTH.** SES's SMTP user name is an IAM access key id and the password is derived from the key's secret
and the region (:mod:`sesbook.smtp`). The lab looks the key up in moto's IAM backend (the lab account,
partition ``aws``), derives the password for the submission server's region and compares in constant time.
An unknown key, an inactive key, a password for another region or another key: all refused the same way
(``535 Authentication Credentials Invalid``; SES does not say which part was wrong, nor does the lab).

**Policies.** SES authorises an SMTP send as the IAM action ``ses:SendRawEmail`` on the sending identity's
ARN (``arn:aws:ses:REGION:ACCOUNT:identity/NAME``), with the condition key ``ses:FromAddress`` (SES
Developer Guide, "Controlling access to Amazon SES" and "Identity and access management for SES", checked
2026). :func:`authorize` evaluates the user's inline and attached managed policies (and its groups'), as
IAM does for one principal: an explicit ``Deny`` wins, else an ``Allow`` permits, else it is denied.
SES refuses with ``554 Access denied: User `ARN' is not authorized to perform `ses:SendRawEmail' on
resource `ARN'`` (wording from the AWS Knowledge Center article "How do I resolve a 554 'Access denied' error
when I send an email from my IAM user in Amazon SES?"; the quoting style with a back-tick and an apostrophe
is SES's).

What this small evaluator covers, and where the lab is kinder than AWS (said plainly, not hidden):

- ``Action``/``NotAction``, ``Resource``/``NotResource`` with ``*`` and ``?`` wildcards (actions case-insensitive);
- conditions with the string operators (``StringEquals``, ``StringNotEquals``, ``StringLike``,
  ``StringNotLike``, their ``IgnoreCase`` forms, ``...IfExists``, ``ForAnyValue:``/``ForAllValues:``) on
  ``ses:FromAddress``; a condition on any other key counts as not met (a statement with it does not apply);
- a user **with no policy at all** may send in the lab (moto enforces no IAM anywhere else, and the lab
  lets raw boto3 calls through too); real SES refuses such a user with the 554 above (implicit deny).
  Permissions boundaries, SCPs and SES sending authorization policies are not evaluated.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from urllib.parse import unquote

from sesbook.lab import ACCOUNT_ID
from sesbook.lab.ses.identities.state import covering_identities
from sesbook.smtp import password_matches

#: The IAM action SES checks for every SMTP send.
SMTP_ACTION = "ses:SendRawEmail"


@dataclass(frozen=True)
class AuthenticatedUser:
    """The IAM user an SMTP session authenticated as (never the secret or the password)."""

    user_name: str
    user_arn: str
    access_key_id: str


def _iam() -> Any:
    from moto.iam.models import iam_backends

    return iam_backends[ACCOUNT_ID]["aws"]


def authenticate(username: bytes | str, password: bytes | str, region: str) -> AuthenticatedUser | None:
    """The IAM user whose active access key ``username`` is and whose SMTP password for ``region`` is
    ``password``; None for anything else (the caller answers 535)."""
    key_id = username.decode("utf-8", errors="replace") if isinstance(username, bytes) else username
    backend = _iam()
    for user in list(backend.users.values()):
        for key in list(user.access_keys):
            if key.access_key_id != key_id:
                continue
            if key.status != "Active":
                return None
            if password_matches(password, key.secret_access_key, region):
                return AuthenticatedUser(user.name, user.arn, key_id)
            return None
    return None


# -- policies -----------------------------------------------------------------------------------------------
def _documents(user_name: str) -> list[dict[str, Any]]:
    """Every policy document that applies to the user: inline, attached managed, and its groups'."""
    backend = _iam()
    user = backend.users.get(user_name)
    if user is None:
        return []
    texts: list[str] = list(user.policies.values())
    managed = list(user.managed_policies.values())
    for group in backend.get_groups_for_user(user_name):
        texts += list(group.policies.values())
        managed += list(group.managed_policies.values())
    for policy in managed:
        version = next((v for v in policy.versions if v.is_default), None)
        if version is not None:
            texts.append(version.document)
    docs = []
    for text in texts:
        if isinstance(text, dict):
            docs.append(text)
            continue
        try:
            docs.append(json.loads(text))
        except ValueError:
            docs.append(json.loads(unquote(text)))
    return docs


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _like(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """IAM's wildcard match: ``*`` any run of characters, ``?`` one character, nothing else special."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL | (re.IGNORECASE if ignore_case else 0)) is not None


def _action_matches(patterns: list[Any], action: str) -> bool:
    return any(_like(str(p), action, ignore_case=True) for p in patterns)


def _resource_matches(patterns: list[Any], resource: str) -> bool:
    return any(_like(str(p), resource) for p in patterns)


_STRING_OPS = {
    "StringEquals": (lambda want, got: want == got, False),
    "StringNotEquals": (lambda want, got: want != got, True),
    "StringEqualsIgnoreCase": (lambda want, got: want.lower() == got.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda want, got: want.lower() != got.lower(), True),
    "StringLike": (lambda want, got: _like(want, got), False),
    "StringNotLike": (lambda want, got: not _like(want, got), True),
}


def _condition_met(conditions: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, tests in (conditions or {}).items():
        op = operator.split(":", 1)[-1]
        if_exists = op.endswith("IfExists")
        op = op.removesuffix("IfExists")
        if op not in _STRING_OPS or not isinstance(tests, dict):
            return False
        compare, negative = _STRING_OPS[op]
        for key, wanted in tests.items():
            got = next((v for k, v in context.items() if k.lower() == key.lower()), None)
            if got is None:
                if if_exists:
                    continue
                return False
            values = [str(w) for w in _as_list(wanted)]
            met = all(compare(w, got) for w in values) if negative else any(compare(w, got) for w in values)
            if not met:
                return False
    return True


def _applies(statement: dict[str, Any], action: str, resource: str, context: dict[str, str]) -> bool:
    if "Action" in statement and not _action_matches(_as_list(statement["Action"]), action):
        return False
    if "NotAction" in statement and _action_matches(_as_list(statement["NotAction"]), action):
        return False
    if "Resource" in statement and not _resource_matches(_as_list(statement["Resource"]), resource):
        return False
    if "NotResource" in statement and _resource_matches(_as_list(statement["NotResource"]), resource):
        return False
    return _condition_met(statement.get("Condition") or {}, context)


def evaluate(documents: list[dict[str, Any]], action: str, resource: str, context: dict[str, str]) -> bool:
    """IAM's decision for one principal: an applying Deny refuses, else an applying Allow permits, else no."""
    allowed = False
    for doc in documents:
        for statement in _as_list(doc.get("Statement")):
            if not isinstance(statement, dict) or not _applies(statement, action, resource, context):
                continue
            if statement.get("Effect") == "Deny":
                return False
            if statement.get("Effect") == "Allow":
                allowed = True
    return allowed


def identity_arn(backend: Any, sender: str) -> str:
    """The ARN of the identity SES would send ``sender`` as: the most specific identity covering it, else
    the sender's domain."""
    address = parseaddr(sender)[1] or sender
    found = covering_identities(backend, address)
    name = found[0].name if found else address.rpartition("@")[2].lower()
    return f"arn:aws:ses:{backend.region_name}:{ACCOUNT_ID}:identity/{name}"


def authorize(user: AuthenticatedUser, backend: Any, sender: str) -> str | None:
    """None when ``user`` may send as ``sender``; otherwise SES's refusal text (after the 554)."""
    documents = _documents(user.user_name)
    resource = identity_arn(backend, sender)
    if not documents:
        return None  # the lab's leniency (module docstring): no policy at all is not checked
    address = parseaddr(sender)[1] or sender
    if evaluate(documents, SMTP_ACTION, resource, {"ses:FromAddress": address}):
        return None
    return (f"Access denied: User `{user.user_arn}' is not authorized to perform `{SMTP_ACTION}' on resource "
            f"`{resource}'")
