"""connect() and the plan gate: against AWS nothing mutating is sent unless apply=True."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.awsrequest import AWSResponse

import sesbook
from sesbook.errors import TargetError, ValidationError
from sesbook.target import PLANNED_REQUEST_ID

if TYPE_CHECKING:
    from sesbook.lab import LabInfo


class Wire:
    """Counts what botocore would put on the wire, and answers it locally so nothing leaves the machine."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        self.sent.append(f"{request.method} {request.url}")
        if "VerifyDomainIdentity" in str(request.body or ""):
            body = (
                b"<VerifyDomainIdentityResponse><VerifyDomainIdentityResult><VerificationToken>tok"
                b"</VerificationToken></VerifyDomainIdentityResult></VerifyDomainIdentityResponse>"
            )
        else:
            body = (
                b"<GetSendQuotaResponse><GetSendQuotaResult><Max24HourSend>200.0</Max24HourSend>"
                b"<MaxSendRate>1.0</MaxSendRate><SentLast24Hours>0.0</SentLast24Hours></GetSendQuotaResult>"
                b"<ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetSendQuotaResponse>"
            )

        class Raw:
            def stream(self, **_: Any) -> Any:
                yield body

        return AWSResponse(request.url, 200, {}, Raw())


@pytest.fixture
def aws_target() -> tuple[sesbook.Target, Wire]:
    target = sesbook.connect("aws", region="eu-west-1")
    wire = Wire()
    target.session.events.register("before-send.*.*", wire)
    return target, wire


def test_aws_plan_sends_no_mutating_request(aws_target: tuple[sesbook.Target, Wire]) -> None:
    target, wire = aws_target
    response = target.ses.verify_domain_identity(Domain="example.com")
    target.route53.change_resource_record_sets(
        HostedZoneId="Z1", ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": {
            "Name": "example.com", "Type": "TXT", "TTL": 300, "ResourceRecords": [{"Value": '"x"'}]}}]},
    )
    assert wire.sent == []
    assert response["ResponseMetadata"]["RequestId"] == PLANNED_REQUEST_ID
    assert [f"{c.service}.{c.operation}" for c in target.plan] == [
        "ses.VerifyDomainIdentity", "route53.ChangeResourceRecordSets",
    ]
    assert target.plan.calls[0].params == {"Domain": "example.com"}
    assert "ses.VerifyDomainIdentity(Domain='example.com')" in repr(target.plan)
    assert "<table " in target.plan._repr_html_()


def test_aws_reads_still_go_through_the_wire(aws_target: tuple[sesbook.Target, Wire]) -> None:
    target, wire = aws_target
    quota = target.ses.get_send_quota()
    assert quota["Max24HourSend"] == 200.0
    assert len(wire.sent) == 1 and wire.sent[0].startswith("POST https://email.eu-west-1.amazonaws.com")
    assert len(target.plan) == 0


def test_aws_apply_true_sends_the_change() -> None:
    target = sesbook.connect("aws", region="eu-west-1", apply=True)
    wire = Wire()
    target.session.events.register("before-send.*.*", wire)
    response = target.ses.verify_domain_identity(Domain="example.com")
    assert len(wire.sent) == 1
    assert response["VerificationToken"] == "tok"
    assert len(target.plan) == 0


def test_dry_run_in_the_lab_records_instead_of_sending(target: sesbook.Target) -> None:
    with target.dry_run() as plan:
        target.ses.verify_domain_identity(Domain="example.com")
    assert [c.operation for c in plan] == ["VerifyDomainIdentity"]
    assert target.ses.list_identities()["Identities"] == []
    target.ses.verify_domain_identity(Domain="example.com")  # outside the block it is applied
    assert target.ses.list_identities()["Identities"] == ["example.com"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"target": "azure"}, "target"),
        ({"target": "aws", "region": "mars-north-1x"}, "region"),
        ({"target": "lab", "profile": "prod"}, "profile"),
        ({"target": "lab", "region": "us-east-99"}, "region"),  # was a raw botocore error from an HTTP 500
        ({"target": "aws", "region": "ap-east-1"}, "region"),  # a real AWS region, but SES is not there
    ],
)
def test_connect_validates_before_anything(kwargs: dict[str, Any], field: str) -> None:
    name = kwargs.pop("target")
    with pytest.raises(ValidationError) as info:
        sesbook.connect(name, **kwargs)
    assert info.value.field == field
    assert info.value.hint


def test_unknown_profile_is_a_target_error() -> None:
    target = sesbook.connect("aws", profile="no-such-profile-here")
    with pytest.raises(TargetError, match="profile 'no-such-profile-here' not found"):
        _ = target.ses


def test_lab_target_talks_to_the_lab_over_http(target: sesbook.Target, lab_info: Any) -> None:
    assert target.is_lab and target.apply and not target.planning
    assert target.endpoints.aws == lab_info.aws_endpoint
    assert target.ses.meta.endpoint_url == lab_info.aws_endpoint
    assert target.account_id == "123456789012"
    check = sesbook.check_target(target)
    assert check.ok, check.problems
    assert "SES API" in repr(check)


def test_target_shows_its_settings_and_the_endpoints_show_once(target: sesbook.Target, lab_info: Any) -> None:
    shown = target._repr_html_()
    assert "sesbook target" in shown and ">us-east-1<" in shown
    assert lab_info.aws_endpoint not in shown  # notebook 00 shows ses_target.endpoints in its own cell
    assert lab_info.aws_endpoint in target.endpoints._repr_html_()


@pytest.mark.parametrize(("text", "expected"), [
    ("false", False), ("False", False), (" no ", False), ("OFF", False), ("0", False), (0, False),
    ("true", True), ("Yes", True), ("on", True), ("1", True), (True, True), (False, False),
])
def test_apply_from_text_is_parsed_never_cast(text: Any, expected: bool) -> None:
    assert sesbook.connect("aws", apply=text).apply is expected


@pytest.mark.parametrize("bad", ["", "nope", "2", "ja", 2, 0.5, None, [False]])
def test_apply_that_is_not_a_yes_no_value_is_refused(bad: Any) -> None:
    with pytest.raises(ValidationError) as info:
        sesbook.connect("aws", apply=bad)
    assert info.value.field == "apply" and "true or false" in str(info.value)


KEY_MATERIAL = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7SECRETKEYMATERIAL"
PEM = f"-----BEGIN PRIVATE KEY-----\n{KEY_MATERIAL}\n-----END PRIVATE KEY-----\n"


def test_a_plan_never_shows_or_logs_secrets(aws_target: tuple[sesbook.Target, Wire],
                                            caplog: pytest.LogCaptureFixture) -> None:
    target, wire = aws_target
    signing = {"DomainSigningSelector": "s1", "DomainSigningPrivateKey": KEY_MATERIAL}
    with caplog.at_level("INFO", logger="sesbook"):
        target.sesv2.create_email_identity(EmailIdentity="news.example.com", DkimSigningAttributes=signing,
                                           Tags=[{"Key": "note", "Value": PEM}])
        target.sesv2.put_email_identity_dkim_signing_attributes(
            EmailIdentity="news.example.com", SigningAttributesOrigin="EXTERNAL", SigningAttributes=signing)
        target.iam.create_login_profile(UserName="smtp", Password="Hunter2-smtp-password")
    assert wire.sent == [] and len(target.plan) == 3
    shown = {
        "repr": repr(target.plan), "html": target.plan._repr_html_(), "json": target.plan.to_json(),
        "calls": repr(target.plan.calls), "log": caplog.text,
    }
    for where, text in shown.items():
        assert "SECRETKEYMATERIAL" not in text and "PRIVATE KEY" not in text, where
        assert "Hunter2" not in text, where
        assert "redacted" in text, where
    assert "DomainSigningSelector" in shown["repr"] and "'s1'" in shown["repr"], "the rest stays readable"
    params = target.plan.calls[1].params
    assert params["SigningAttributes"] == {"DomainSigningSelector": "s1", "DomainSigningPrivateKey": "<redacted>"}


@pytest.mark.parametrize(("params", "expected"), [
    ({"SecretAccessKey": "abc", "AccessKeyId": "AKIA1"}, {"SecretAccessKey": "<redacted>", "AccessKeyId": "AKIA1"}),
    ({"a": [{"b": {"SmtpPassword": "p"}}]}, {"a": [{"b": {"SmtpPassword": "<redacted>"}}]}),
    ({"SessionToken": "t", "DkimTokens": ["x"]}, {"SessionToken": "<redacted>", "DkimTokens": ["x"]}),
    ({"Body": PEM.encode()}, {"Body": "<redacted>"}),
])
def test_redaction_at_any_depth(params: dict[str, Any], expected: dict[str, Any]) -> None:
    from sesbook.plan import PlannedCall

    assert PlannedCall("s", "Op", params).params == expected


def test_sqs_receive_message_is_planned_not_sent(aws_target: tuple[sesbook.Target, Wire]) -> None:
    target, wire = aws_target
    target.sqs.receive_message(QueueUrl="https://sqs.eu-west-1.amazonaws.com/123456789012/feedback")
    assert wire.sent == []
    assert [f"{c.service}.{c.operation}" for c in target.plan] == ["sqs.ReceiveMessage"]


def test_targets_share_aws_model_files_but_not_sessions_or_clients(lab_info: LabInfo) -> None:
    """Every target reads botocore's model files through one loader (parsed once per process); each keeps
    its own session, event handlers and clients, and the loader's search paths do not grow per session."""
    from sesbook import target as target_module

    first, second = sesbook.connect("lab"), sesbook.connect("lab")
    assert first.ses.list_identities()["Identities"] == []
    paths = list(target_module._LOADER.search_paths)
    assert second.ses.list_identities()["Identities"] == []
    for _ in range(3):
        sesbook.connect("lab").sesv2.list_email_identities()
    assert first.session is not second.session and first.ses is not second.ses
    assert first.session._session.get_component("data_loader") is second.session._session.get_component("data_loader")
    assert target_module._LOADER.search_paths == paths, "a session's boto3 data folder is added once"
