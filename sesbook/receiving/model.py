"""Receipt rule sets and rules as checked values: SES's rules hold before anything is sent.

A :class:`RuleSet` holds :class:`Rule` s in order; a rule holds recipient conditions and up to ten actions
(:class:`S3Action`, :class:`SNSAction`, :class:`LambdaAction`, :class:`BounceAction`, :class:`AddHeaderAction`,
:class:`StopAction`). Each value checks itself when made and raises :class:`~sesbook.errors.ValidationError`
naming the field, the bad value, the rule it broke and (for a rule's own fields) the receipt rule. ``to_api()``
gives the shape boto3's ``CreateReceiptRule``/``UpdateReceiptRule`` take as ``Rule``; :func:`rule_from_api`
reads what ``DescribeReceiptRule`` and ``DescribeReceiptRuleSet`` return.

SES's rules kept here (SES API Reference, ``ReceiptRule``, ``ReceiptAction`` and its members,
https://docs.aws.amazon.com/ses/latest/APIReference/API_ReceiptRule.html; Developer Guide, "Creating receipt
rules" and "Service quotas", checked 2026):

- Names of rule sets and rules: letters, digits, ``_``, ``-``, ``.``; first and last a letter or digit; ≤ 64.
- Recipient conditions: an address (``aaa@example.com``), a domain (``example.com``, every address there)
  or ``.example.com`` (every address at any subdomain); at most 100. Internationalised domains are sent as
  A-labels (``xn--...``). No condition: the rule applies to every verified domain of the account.
- ``TlsPolicy`` ``Optional`` or ``Require``; ``ScanEnabled`` (spam and virus scan); ``Enabled``.
- At most 10 actions a rule, 200 rules a set, 40 sets an account (checked by :func:`ensure_rule_set`).
- S3: a bucket name (S3's rules), an optional key prefix, an optional KMS key ARN (a key or an alias).
  SNS: a topic ARN, encoding ``UTF-8`` or ``Base64``. Lambda: a function ARN, invoked ``Event`` or
  ``RequestResponse``. Bounce: an SMTP reply code (RFC 5321, 4xx or 5xx), an optional enhanced status code
  (RFC 3463, same class), a message and the sender address; SES has already taken the message when it runs,
  so it mails the sender a bounce message (a DSN reporting them) from that address rather than refusing.
  AddHeader: a name of 1-50 letters, digits and dashes; a value under 2048 characters with no CR or LF.
  Stop: scope ``RuleSet``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from sesbook.errors import ValidationError
from sesbook.facts import (
    MAX_RECEIPT_ACTIONS_PER_RULE,
    MAX_RECEIPT_RECIPIENTS_PER_RULE,
    MAX_RECEIPT_RULES_PER_SET,
    RECEIPT_NAME_RE,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = [
    "Action",
    "AddHeaderAction",
    "BounceAction",
    "LambdaAction",
    "ReceiptRule",
    "ReceiptRuleSet",
    "Rule",
    "RuleSet",
    "S3Action",
    "SNSAction",
    "StopAction",
    "action_from_api",
    "check_name",
    "normalize_recipient",
    "rule_from_api",
]

TLS_POLICIES = ("Optional", "Require")
SNS_ENCODINGS = ("UTF-8", "Base64")
INVOCATION_TYPES = ("Event", "RequestResponse")
STOP_SCOPES = ("RuleSet",)

_PARTITION = r"arn:aws(?:-[a-z]+)*"
_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d{1,2}"
SNS_TOPIC_ARN_RE = re.compile(rf"^{_PARTITION}:sns:{_REGION}:\d{{12}}:[A-Za-z0-9_-]{{1,256}}$")
LAMBDA_ARN_RE = re.compile(rf"^{_PARTITION}:lambda:{_REGION}:\d{{12}}:function:[A-Za-z0-9_-]{{1,64}}"
                           r"(?::(?:\$LATEST|[A-Za-z0-9_-]{1,128}))?$")
KMS_KEY_ARN_RE = re.compile(rf"^{_PARTITION}:kms:{_REGION}:\d{{12}}:"
                            r"(?:key/[A-Za-z0-9-]{1,128}|alias/[A-Za-z0-9/_-]{1,256})$")
IAM_ROLE_ARN_RE = re.compile(rf"^{_PARTITION}:iam::\d{{12}}:role/[\w+=,.@/-]{{1,512}}$")
#: S3 bucket names (S3 User Guide, "Bucket naming rules"): 3-63 lower-case letters, digits, dots and hyphens,
#: first and last a letter or digit, not shaped like an IP address.
BUCKET_RE = re.compile(r"^(?=.{3,63}$)[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$")
HEADER_NAME_RE = re.compile(r"^[A-Za-z0-9-]{1,50}$")
SMTP_REPLY_CODE_RE = re.compile(r"^[45][0-9][0-9]$")
STATUS_CODE_RE = re.compile(r"^[45]\.[0-9]{1,3}\.[0-9]{1,3}$")
MAX_HEADER_VALUE = 2047  # "must be less than 2048 characters"
MAX_PREFIX = 1024  # an S3 key is at most 1024 bytes; the prefix cannot be longer


def _where(rule: str | None, name: str) -> str:
    return f"rule {rule!r}: {name}" if rule else name


def check_name(value: object, *, field: str = "name", what: str = "a rule") -> str:
    """A rule set or rule name as SES takes it (letters, digits, ``_ - .``, alphanumeric ends, ≤ 64)."""
    if not isinstance(value, str) or not RECEIPT_NAME_RE.match(value):
        raise ValidationError(
            field, value, f"is not a valid name for {what}: SES takes 1-64 ASCII letters, digits, '_', '-' or "
            "'.', starting and ending with a letter or digit.", hint="For example 'EmailToS3' or 'inbound-main'.",
        )
    return value


def _check_choice(field: str, value: object, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise ValidationError(field, value, f"must be one of {', '.join(choices)}.")
    return str(value)


def _check_arn(field: str, value: object, pattern: re.Pattern[str], example: str, *, optional: bool) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not pattern.match(value):
        raise ValidationError(field, value, "is not a valid ARN of that kind.", hint=f"It looks like {example}.")
    return value


def _check_bool(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(field, value, "must be True or False.")
    return value


def normalize_recipient(value: object, *, field: str = "recipients") -> str:
    """One recipient condition: an address, a domain or ``.domain`` (subdomains), with the domain as A-labels."""
    from sesbook.identities._names import normalize_address, normalize_domain

    if not isinstance(value, str) or not value.strip():
        raise ValidationError(field, value, "must be an address, a domain or '.domain' (its subdomains).",
                              hint="For example 'aaa@example.com', 'example.com' or '.example.com'.")
    text = value.strip()
    if "@" in text:
        return normalize_address(text, field=field)
    if text.startswith("."):
        return "." + normalize_domain(text[1:], field=field)
    return normalize_domain(text, field=field)


# -- actions ----------------------------------------------------------------------------------------------
class Action:
    """The base of the six actions: ``to_api()`` gives the one-key ``ReceiptAction`` dict."""

    api_name: ClassVar[str]

    def to_api(self) -> dict[str, Any]:
        raise NotImplementedError

    @staticmethod
    def _compact(body: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in body.items() if v not in (None, "")}


@dataclass(frozen=True)
class S3Action(Action):
    """Store the message in ``bucket`` under ``prefix`` + message id (optionally encrypted with a KMS key)."""

    bucket: str
    prefix: str = ""
    kms_key_arn: str | None = None
    topic_arn: str | None = None
    iam_role_arn: str | None = None
    api_name: ClassVar[str] = "S3Action"

    def __post_init__(self) -> None:
        if not isinstance(self.bucket, str) or not BUCKET_RE.match(self.bucket) or ".." in self.bucket or \
                re.fullmatch(r"\d+\.\d+\.\d+\.\d+", self.bucket):
            raise ValidationError("S3Action.bucket", self.bucket, "is not a valid S3 bucket name: 3-63 lower-case "
                                  "letters, digits, dots or hyphens, starting and ending with a letter or digit.")
        if not isinstance(self.prefix, str) or len(self.prefix.encode()) > MAX_PREFIX or \
                any(c in self.prefix for c in "\r\n"):
            raise ValidationError("S3Action.prefix", self.prefix, f"must be text of at most {MAX_PREFIX} bytes "
                                  "with no line breaks (an S3 key prefix such as 'aaa_emails/').")
        _check_arn("S3Action.kms_key_arn", self.kms_key_arn, KMS_KEY_ARN_RE,
                   "arn:aws:kms:us-east-1:123456789012:key/KEY-ID or …:alias/aws/ses", optional=True)
        _check_arn("S3Action.topic_arn", self.topic_arn, SNS_TOPIC_ARN_RE,
                   "arn:aws:sns:us-east-1:123456789012:topic", optional=True)
        _check_arn("S3Action.iam_role_arn", self.iam_role_arn, IAM_ROLE_ARN_RE,
                   "arn:aws:iam::123456789012:role/name", optional=True)

    def to_api(self) -> dict[str, Any]:
        return {"S3Action": self._compact({"BucketName": self.bucket, "ObjectKeyPrefix": self.prefix,
                                           "KmsKeyArn": self.kms_key_arn, "TopicArn": self.topic_arn,
                                           "IamRoleArn": self.iam_role_arn})}


@dataclass(frozen=True)
class SNSAction(Action):
    """Publish the message (up to 150 KB) to an SNS topic, encoded ``UTF-8`` or ``Base64``."""

    topic_arn: str
    encoding: str = "UTF-8"
    api_name: ClassVar[str] = "SNSAction"

    def __post_init__(self) -> None:
        _check_arn("SNSAction.topic_arn", self.topic_arn, SNS_TOPIC_ARN_RE,
                   "arn:aws:sns:us-east-1:123456789012:topic", optional=False)
        _check_choice("SNSAction.encoding", self.encoding, SNS_ENCODINGS)

    def to_api(self) -> dict[str, Any]:
        return {"SNSAction": {"TopicArn": self.topic_arn, "Encoding": self.encoding}}


@dataclass(frozen=True)
class LambdaAction(Action):
    """Call a Lambda function: ``Event`` (asynchronous) or ``RequestResponse`` (its answer may stop the set)."""

    function_arn: str
    invocation_type: str = "Event"
    topic_arn: str | None = None
    api_name: ClassVar[str] = "LambdaAction"

    def __post_init__(self) -> None:
        _check_arn("LambdaAction.function_arn", self.function_arn, LAMBDA_ARN_RE,
                   "arn:aws:lambda:us-east-1:123456789012:function:name", optional=False)
        _check_choice("LambdaAction.invocation_type", self.invocation_type, INVOCATION_TYPES)
        _check_arn("LambdaAction.topic_arn", self.topic_arn, SNS_TOPIC_ARN_RE,
                   "arn:aws:sns:us-east-1:123456789012:topic", optional=True)

    def to_api(self) -> dict[str, Any]:
        return {"LambdaAction": self._compact({"FunctionArn": self.function_arn,
                                               "InvocationType": self.invocation_type,
                                               "TopicArn": self.topic_arn})}


@dataclass(frozen=True)
class BounceAction(Action):
    """Bounce the message: SES (which has taken it, 250) mails a bounce message (DSN) from ``sender`` to the
    envelope sender, reporting the SMTP reply code (4xx/5xx), optional status code and message."""

    smtp_reply_code: str
    message: str
    sender: str
    status_code: str | None = None
    topic_arn: str | None = None
    api_name: ClassVar[str] = "BounceAction"

    def __post_init__(self) -> None:
        from sesbook.identities._names import normalize_address

        code = str(self.smtp_reply_code) if isinstance(self.smtp_reply_code, int) else self.smtp_reply_code
        if not isinstance(code, str) or not SMTP_REPLY_CODE_RE.match(code):
            raise ValidationError("BounceAction.smtp_reply_code", self.smtp_reply_code,
                                  "must be an SMTP reply code of RFC 5321 for a refusal: 4xx or 5xx.",
                                  hint="550 (mailbox unavailable) is the usual one.")
        object.__setattr__(self, "smtp_reply_code", code)
        if self.status_code is not None and (not isinstance(self.status_code, str)
                                             or not STATUS_CODE_RE.match(self.status_code)
                                             or self.status_code[0] != code[0]):
            raise ValidationError("BounceAction.status_code", self.status_code,
                                  f"must be an RFC 3463 status code of the same class as {code}: "
                                  f"{code[0]}.x.y.", hint=f"For example {code[0]}.1.1.")
        if not isinstance(self.message, str) or not self.message.strip() or any(c in self.message for c in "\r\n"):
            raise ValidationError("BounceAction.message", self.message,
                                  "must be a one-line text the sender will read.")
        object.__setattr__(self, "sender", normalize_address(self.sender, field="BounceAction.sender"))
        _check_arn("BounceAction.topic_arn", self.topic_arn, SNS_TOPIC_ARN_RE,
                   "arn:aws:sns:us-east-1:123456789012:topic", optional=True)

    def to_api(self) -> dict[str, Any]:
        return {"BounceAction": self._compact({"SmtpReplyCode": self.smtp_reply_code,
                                               "StatusCode": self.status_code, "Message": self.message,
                                               "Sender": self.sender, "TopicArn": self.topic_arn})}


@dataclass(frozen=True)
class AddHeaderAction(Action):
    """Add a header to the message before later actions see it."""

    name: str
    value: str
    api_name: ClassVar[str] = "AddHeaderAction"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not HEADER_NAME_RE.match(self.name):
            raise ValidationError("AddHeaderAction.name", self.name,
                                  "must be 1-50 ASCII letters, digits or dashes.", hint="For example 'X-Routed-By'.")
        if not isinstance(self.value, str) or len(self.value) > MAX_HEADER_VALUE or \
                any(c in self.value for c in "\r\n"):
            raise ValidationError("AddHeaderAction.value", self.value,
                                  "must be text under 2048 characters with no line break (CR or LF).")

    def to_api(self) -> dict[str, Any]:
        return {"AddHeaderAction": {"HeaderName": self.name, "HeaderValue": self.value}}


@dataclass(frozen=True)
class StopAction(Action):
    """End the rule set here: no later action or rule runs (optionally notifying a topic)."""

    scope: str = "RuleSet"
    topic_arn: str | None = None
    api_name: ClassVar[str] = "StopAction"

    def __post_init__(self) -> None:
        _check_choice("StopAction.scope", self.scope, STOP_SCOPES)
        _check_arn("StopAction.topic_arn", self.topic_arn, SNS_TOPIC_ARN_RE,
                   "arn:aws:sns:us-east-1:123456789012:topic", optional=True)

    def to_api(self) -> dict[str, Any]:
        return {"StopAction": self._compact({"Scope": self.scope, "TopicArn": self.topic_arn})}


ACTION_CLASSES: tuple[type[Action], ...] = (S3Action, SNSAction, LambdaAction, BounceAction, AddHeaderAction,
                                            StopAction)


# -- rules ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    """One receipt rule: which recipients, which actions (in order), and how.

    Lists given for ``recipients`` and ``actions`` are kept as tuples; recipients are normalised (domains as
    A-labels, lower case), duplicates refused.
    """

    name: str
    recipients: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    enabled: bool = True
    scan_enabled: bool = False
    tls_policy: str = "Optional"

    def __post_init__(self) -> None:
        check_name(self.name, field="name", what="a receipt rule")
        rule = self.name
        if isinstance(self.recipients, str):
            raise ValidationError(_where(rule, "recipients"), self.recipients, "must be a list of conditions, "
                                  "not one string.", hint=f"Write recipients=[{self.recipients!r}].")
        recipients = tuple(normalize_recipient(r, field=_where(rule, f"recipients[{i}]"))
                           for i, r in enumerate(self.recipients))
        if len(recipients) > MAX_RECEIPT_RECIPIENTS_PER_RULE:
            raise ValidationError(_where(rule, "recipients"), f"{len(recipients)} conditions",
                                  f"SES allows at most {MAX_RECEIPT_RECIPIENTS_PER_RULE} recipient conditions a rule.",
                                  hint="Use a domain condition, or split the rule in two.")
        seen: set[str] = set()
        for condition in recipients:
            if condition.lower() in seen:
                raise ValidationError(_where(rule, "recipients"), condition, "is listed twice.")
            seen.add(condition.lower())
        object.__setattr__(self, "recipients", recipients)
        actions = tuple(self.actions)
        for index, action in enumerate(actions):
            if not isinstance(action, Action):
                raise ValidationError(_where(rule, f"actions[{index}]"), action,
                                      "is not an action: use S3Action, SNSAction, LambdaAction, BounceAction, "
                                      "AddHeaderAction or StopAction.")
        if len(actions) > MAX_RECEIPT_ACTIONS_PER_RULE:
            raise ValidationError(_where(rule, "actions"), f"{len(actions)} actions",
                                  f"SES allows at most {MAX_RECEIPT_ACTIONS_PER_RULE} actions a rule.",
                                  hint="Move some into a second rule with the same recipients.")
        object.__setattr__(self, "actions", actions)
        _check_bool(_where(rule, "enabled"), self.enabled)
        _check_bool(_where(rule, "scan_enabled"), self.scan_enabled)
        _check_choice(_where(rule, "tls_policy"), self.tls_policy, TLS_POLICIES)

    def to_api(self) -> dict[str, Any]:
        """The ``Rule`` argument of ``CreateReceiptRule`` / ``UpdateReceiptRule``."""
        body: dict[str, Any] = {"Name": self.name, "Enabled": self.enabled, "TlsPolicy": self.tls_policy,
                                "ScanEnabled": self.scan_enabled, "Actions": [a.to_api() for a in self.actions]}
        if self.recipients:
            body["Recipients"] = list(self.recipients)
        return body


@dataclass(frozen=True)
class RuleSet:
    """A named, ordered list of rules (at most 200, names unique)."""

    name: str
    rules: tuple[Rule, ...] = field(default=())

    def __post_init__(self) -> None:
        check_name(self.name, field="rule_set", what="a receipt rule set")
        rules = tuple(self.rules)
        for index, rule in enumerate(rules):
            if not isinstance(rule, Rule):
                raise ValidationError(f"rules[{index}]", rule, "is not a Rule.")
        if len(rules) > MAX_RECEIPT_RULES_PER_SET:
            raise ValidationError("rules", f"{len(rules)} rules",
                                  f"SES allows at most {MAX_RECEIPT_RULES_PER_SET} rules in a rule set.")
        names = [r.name for r in rules]
        for name in names:
            if names.count(name) > 1:
                raise ValidationError("rules", name, f"rule set {self.name!r} names this rule twice; names are "
                                      "unique within a rule set.")
        object.__setattr__(self, "rules", rules)

    @property
    def rule_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.rules)

    def to_api(self) -> list[dict[str, Any]]:
        """The rules as ``DescribeReceiptRuleSet`` lists them (``Rules``), in order."""
        return [r.to_api() for r in self.rules]


# -- reading what SES returns ------------------------------------------------------------------------------
def action_from_api(item: Mapping[str, Any], *, rule: str | None = None) -> Action:
    """One ``ReceiptAction`` dict as an :class:`Action` (WorkMail and Connect actions are not modelled)."""
    if "S3Action" in item:
        a = item["S3Action"]
        return S3Action(a["BucketName"], a.get("ObjectKeyPrefix") or "", a.get("KmsKeyArn"), a.get("TopicArn"),
                        a.get("IamRoleArn"))
    if "SNSAction" in item:
        a = item["SNSAction"]
        return SNSAction(a["TopicArn"], a.get("Encoding") or "UTF-8")
    if "LambdaAction" in item:
        a = item["LambdaAction"]
        return LambdaAction(a["FunctionArn"], a.get("InvocationType") or "Event", a.get("TopicArn"))
    if "BounceAction" in item:
        a = item["BounceAction"]
        return BounceAction(a["SmtpReplyCode"], a["Message"], a["Sender"], a.get("StatusCode"), a.get("TopicArn"))
    if "AddHeaderAction" in item:
        a = item["AddHeaderAction"]
        return AddHeaderAction(a["HeaderName"], a["HeaderValue"])
    if "StopAction" in item:
        a = item["StopAction"]
        return StopAction(a.get("Scope") or "RuleSet", a.get("TopicArn"))
    raise ValidationError(_where(rule, "actions"), sorted(item), "is an action sesbook does not model "
                          "(WorkMail and Connect actions are left to the console or boto3).")


def rule_from_api(item: Mapping[str, Any]) -> Rule:
    """A ``Rule`` as ``DescribeReceiptRule`` returns it (the ``Rule`` member), as a :class:`Rule`."""
    name = item.get("Name")
    return Rule(
        name=name,  # type: ignore[arg-type]  # checked by Rule
        recipients=tuple(item.get("Recipients") or ()),
        actions=tuple(action_from_api(a, rule=name) for a in item.get("Actions") or ()),
        enabled=bool(item.get("Enabled", False)),
        scan_enabled=bool(item.get("ScanEnabled", False)),
        tls_policy=item.get("TlsPolicy") or "Optional",
    )


#: The names :mod:`sesbook` exports (``sesbook.Rule`` alone would not say which kind of rule).
ReceiptRule = Rule
ReceiptRuleSet = RuleSet


def rules_from_api(items: Iterable[Mapping[str, Any]]) -> tuple[Rule, ...]:
    """Every rule of a ``DescribeReceiptRuleSet`` answer's ``Rules``, in order."""
    return tuple(rule_from_api(r) for r in items)
