from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, NoCredentialsError, ParamValidationError

from sesbook._aws import aws_errors, is_mutating
from sesbook.errors import (
    AwsError,
    LabError,
    RunbookError,
    SesbookError,
    TargetError,
    ValidationError,
    WaitTimeoutError,
)


def test_validation_error_names_field_value_rule_and_hint() -> None:
    exc = ValidationError("region", "mars-1", "is not an AWS region name.", hint="Use 'us-east-1'.")
    assert str(exc) == "region='mars-1': is not an AWS region name. Use 'us-east-1'."
    assert (exc.field, exc.value) == ("region", "mars-1")
    assert isinstance(exc, SesbookError) and isinstance(exc, ValueError)


def test_tree_shape() -> None:
    assert issubclass(LabError, TargetError)
    for cls in (TargetError, AwsError, WaitTimeoutError, RunbookError, ValidationError):
        assert issubclass(cls, SesbookError)


def test_client_error_becomes_aws_error_keeping_operation_code_and_request_id() -> None:
    response = {
        "Error": {"Code": "MessageRejected", "Message": "Email address is not verified."},
        "ResponseMetadata": {"RequestId": "req-123", "HTTPStatusCode": 400},
    }
    with pytest.raises(AwsError) as info:
        with aws_errors("ses"):
            raise ClientError(response, "SendEmail")
    err = info.value
    assert err.operation == "ses.SendEmail"
    assert err.code == "MessageRejected"
    assert err.request_id == "req-123"
    assert err.status == 400
    assert "ses.SendEmail failed: MessageRejected: Email address is not verified. (request id req-123)" == str(err)
    assert isinstance(err.__cause__, ClientError)


def test_param_and_credential_errors_are_translated() -> None:
    with pytest.raises(ValidationError, match="botocore rejected"):
        with aws_errors("ses"):
            raise ParamValidationError(report="Missing required parameter Domain")
    with pytest.raises(TargetError, match="never pass keys as parameters"):
        with aws_errors("sts"):
            raise NoCredentialsError()


def test_wait_timeout_message_says_what_is_missing() -> None:
    exc = WaitTimeoutError("example.com to verify", 30, last_state="Pending", missing="TXT _amazonses.example.com")
    assert str(exc) == (
        "gave up waiting for example.com to verify after 30 s; last state: Pending; "
        "still missing: TXT _amazonses.example.com"
    )


def test_runbook_error_names_notebook_and_cell() -> None:
    exc = RunbookError("01-x.ipynb", cell=4, ename="AwsError", evalue="boom", output="runs/1/01-x.ipynb")
    assert str(exc) == "01-x.ipynb, cell 4 failed: AwsError: boom (see runs/1/01-x.ipynb)"
    exc = RunbookError("01-x.ipynb", cell=4, ename="AwsError", evalue="boom", execution_count=3,
                       source="sesbook.verify_domain(target, domain, " + "x" * 80)
    assert str(exc).startswith("01-x.ipynb, In [3] `sesbook.verify_domain(target, domain, xxx")
    assert "x…` failed: AwsError: boom" in str(exc)


@pytest.mark.parametrize(
    ("operation", "mutating"),
    [
        ("VerifyDomainIdentity", True),
        ("ChangeResourceRecordSets", True),
        ("SendEmail", True),
        ("PutAccountDetails", True),
        ("GetSendQuota", False),
        ("ListIdentities", False),
        ("DescribeActiveReceiptRuleSet", False),
        ("HeadObject", False),
        ("ReceiveMessage", True),  # SQS hides the message (visibility timeout) and counts the receive
        ("ReceiveQueueRecords", True),
        ("CheckpointDurableExecution", True),  # "Check" is a word, "Checkpoint" is not a check
        ("CheckoutLicense", True),
        ("CheckInLicense", True),
        ("GetId", True),
        ("CheckDomainAvailability", False),
        ("Query", False),
        ("SelectObjectContent", False),
        ("TestRenderTemplate", False),
    ],
)
def test_read_write_split(operation: str, mutating: bool) -> None:
    assert is_mutating(operation) is mutating


def test_a_rejected_secret_parameter_is_not_in_the_message() -> None:
    report = ("Invalid type for parameter DkimSigningAttributes.DomainSigningPrivateKey, value: 12345678, "
              "type: <class 'int'>, valid types: <class 'str'>\n"
              "Invalid type for parameter EmailIdentity, value: 42, type: <class 'int'>, valid types: <class 'str'>")
    with pytest.raises(ValidationError) as info:
        with aws_errors("sesv2"):
            raise ParamValidationError(report=report)
    assert "12345678" not in str(info.value) and "<redacted>" in str(info.value)
    assert "value: 42," in str(info.value), "other values stay, to say what was wrong"
