"""What every SES response carries, over the wire: UUID request ids, SES-shaped message ids, v2 error bodies."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Any

import pytest
from botocore.exceptions import ClientError

from helpers import verify_domain_now

pytestmark = pytest.mark.lab

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MESSAGE_ID = re.compile(r"^[0-9a-f]{16}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-000000$")


def _send(target: Any, api: str) -> str:
    target.lab.advance_clock(1)
    if api == "v1":
        got = target.ses.send_email(Source="me@example.com",
                                    Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
                                    Message={"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}})
    else:
        got = target.sesv2.send_email(FromEmailAddress="me@example.com",
                                      Destination={"ToAddresses": ["success@simulator.amazonses.com"]},
                                      Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}})
    return str(got["MessageId"])


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_request_ids_are_uuids_and_message_ids_have_the_ses_shape(target: Any, api: str) -> None:
    verify_domain_now(target, "example.com")
    client = target.ses if api == "v1" else target.sesv2
    meta = (client.get_send_quota() if api == "v1" else client.get_account())["ResponseMetadata"]
    assert UUID.match(meta["RequestId"]) and meta["HTTPHeaders"]["x-amzn-requestid"] == meta["RequestId"]
    message_id = _send(target, api)
    assert MESSAGE_ID.match(message_id) and len(message_id) == 60
    with pytest.raises(ClientError) as info:
        if api == "v1":
            client.verify_domain_identity(Domain="bad_name")
        else:
            client.get_email_identity(EmailIdentity="no.example")
    assert UUID.match(info.value.response["ResponseMetadata"]["RequestId"])


def test_seeded_labs_repeat_their_ids(target: Any, lab: Any) -> None:
    verify_domain_now(target, "example.com")
    first = [_send(target, "v1"), target.ses.get_send_quota()["ResponseMetadata"]["RequestId"]]
    lab.reset()
    verify_domain_now(target, "example.com")
    assert [_send(target, "v1"), target.ses.get_send_quota()["ResponseMetadata"]["RequestId"]] == first


def _raw_v2(target: Any, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, dict[str, str], Any]:
    request = urllib.request.Request(
        target.lab.aws_endpoint + path, data=json.dumps(body).encode() if body is not None else None, method=method,
        headers={"Content-Type": "application/json",
                 "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20261128/us-east-1/ses/aws4_request"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    return info.value.code, {k.lower(): v for k, v in info.value.headers.items()}, json.loads(info.value.read())


@pytest.mark.parametrize(("method", "path", "body", "status", "code"), [
    ("GET", "/v2/email/identities/nobody.example", None, 404, "NotFoundException"),  # the lab's error
    ("POST", "/v2/email/identities", {"EmailIdentity": "bad_name"}, 400, "BadRequestException"),
    ("POST", "/v2/email/outbound-emails", {"FromEmailAddress": "a@b.example",
                                           "Destination": {"ToAddresses": ["x@y.example"]},
                                           "Content": {"Simple": {"Subject": {"Data": "s"},
                                                                  "Body": {"Text": {"Data": "b"}}}}},
     400, "MessageRejected"),
    ("GET", "/v2/email/configuration-sets/nope", None, 404, "NotFoundException"),  # moto's own error
], ids=["not-found", "bad-request", "rejected", "moto-not-found"])
def test_v2_error_bodies_carry_a_lowercase_message_and_the_code_in_a_header(
    target: Any, method: str, path: str, body: Any, status: int, code: str
) -> None:
    got_status, headers, got = _raw_v2(target, method, path, body)
    assert (got_status, headers["x-amzn-errortype"]) == (status, code)
    assert set(got) == {"message"} and got["message"]
    assert UUID.match(headers["x-amzn-requestid"])
