"""``/_sesbook/requests``: the lab counts on the server side what reaches it, reads apart from changes."""

from __future__ import annotations

import smtplib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sesbook


def test_reads_writes_and_smtp_connections_are_counted(target: sesbook.Target) -> None:
    assert target.lab is not None
    target.lab.request("DELETE", "/_sesbook/requests")
    target.ses.list_identities()  # query protocol, a read
    target.ses.verify_email_identity(EmailAddress="a@example.com")  # query protocol, a change
    target.sesv2.get_account()  # REST GET, a read
    target.route53.create_hosted_zone(Name="example.org", CallerReference="x")  # REST POST, a change
    for address in (target.lab.smtp, target.lab.inbound_smtp):
        assert address
        host, _, port = address.rpartition(":")
        with smtplib.SMTP(host, int(port), timeout=10) as client:
            assert client.noop()[0] == 250
    got = target.lab.request("GET", "/_sesbook/requests")
    assert got["http"]["ses ListIdentities"] == 1
    assert got["http"]["ses GET /v2/email/account"] == 1
    assert got["mutating"] == {"ses VerifyEmailIdentity": 1, "route53 POST /2013-04-01/hostedzone": 1}
    assert got["smtp"] == {"submission": 1, "inbound": 1}
    target.lab.request("DELETE", "/_sesbook/requests")
    assert target.lab.request("GET", "/_sesbook/requests") == {"http": {}, "mutating": {}, "smtp": {}}


def test_json_protocol_reads_and_sesv2_post_lists_are_reads(target: sesbook.Target) -> None:
    """SQS and CloudWatch name the operation in X-Amz-Target; SESv2 sends some lists as POST: reads all."""
    assert target.lab is not None
    target.lab.request("DELETE", "/_sesbook/requests")
    target.sqs.list_queues()
    target.cloudwatch.describe_alarms()
    target.sesv2.list_configuration_sets()
    target.sqs.create_queue(QueueName="counted")
    got = target.lab.request("GET", "/_sesbook/requests")
    assert got["mutating"] == {"sqs CreateQueue": 1}, got
    assert got["http"]["sqs ListQueues"] == 1
