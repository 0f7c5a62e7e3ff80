"""send_bulk on the lab clock (no sleeps): the account's rate, the 24-hour quota, the journal that makes a
re-run send nothing twice, and throttling retried with backoff."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

import sesbook
from sesbook import mailbox
from sesbook.sending.bulk import Journal, LabClock

if TYPE_CHECKING:
    from pathlib import Path

    from sesbook.target import Target

pytestmark = pytest.mark.lab

SENDER = "shop@example.com"


def _production(target: Target, *, rate: float, quota: float) -> None:
    sesbook.set_lab_review(target, outcome="GRANTED", granted_max_send_rate=rate, granted_max_24_hour_send=quota)
    sesbook.request_production_access(target, mail_type="TRANSACTIONAL", website_url="https://example.com",
                                      use_case="Receipts for users who sign up on the site.")
    assert sesbook.wait_for_review(target, interval=30, progress=False).production


@pytest.fixture
def t(sender: Target) -> Target:
    _production(sender, rate=5, quota=20)
    return sender


def _messages(n: int, *, start: int = 0) -> list[dict[str, Any]]:
    return [{"key": f"order-{i}", "to": f"user{i}@example.net", "subject": f"Order {i}", "text": "Thanks."}
            for i in range(start, start + n)]


def test_sends_at_the_accounts_rate(t: Target, tmp_path: Path) -> None:
    result = sesbook.send_bulk(t, _messages(10), source=SENDER, journal=tmp_path / "j.jsonl", progress=False)
    assert len(result.sent) == 10 and result.throttles == 0 and not result.failed
    assert result.allowed_rate == 5
    assert result.per_second == (5, 5)
    assert result.achieved_rate == pytest.approx(5, rel=1e-3)
    assert len(mailbox.messages(t)) == 10


def test_a_message_to_several_recipients_takes_their_share_of_the_rate(t: Target, tmp_path: Path) -> None:
    messages = [{"key": f"k{i}", "to": [f"a{i}@example.net", f"b{i}@example.net"], "subject": "s", "text": "t"}
                for i in range(5)]
    result = sesbook.send_bulk(t, messages, source=SENDER, journal=tmp_path / "j.jsonl", progress=False)
    assert result.throttles == 0 and result.per_second == (3, 2)  # 2 recipients each: 2.5 messages a second
    assert result.achieved_rate == pytest.approx(5, rel=1e-3)


def test_never_over_the_remaining_daily_quota(t: Target, tmp_path: Path) -> None:
    result = sesbook.send_bulk(t, _messages(25), source=SENDER, journal=tmp_path / "j.jsonl", progress=False)
    assert len(result.sent) == 20
    assert result.over_quota == tuple(f"order-{i}" for i in range(20, 25))
    assert t.ses.get_send_quota()["SentLast24Hours"] == 20


def test_a_second_run_with_the_same_journal_sends_nothing(t: Target, tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    first = sesbook.send_bulk(t, _messages(4), source=SENDER, journal=journal, progress=False)
    again = sesbook.send_bulk(t, _messages(4), source=SENDER, journal=journal, progress=False)
    assert len(first.sent) == 4 and again.sent == () and again.already_sent == tuple(k for k, _ in first.sent)
    assert len(mailbox.messages(t)) == 4
    states = Journal(journal).states()
    assert {k: v["message_id"] for k, v in states.items()} == dict(first.sent)


class _InterruptAfter(LabClock):
    """The lab clock, but the run is interrupted (as by Ctrl-C) at the n-th wait."""

    def __init__(self, lab: Any, waits: int) -> None:
        super().__init__(lab)
        self.waits = waits

    def sleep(self, seconds: float) -> None:
        self.waits -= 1
        if self.waits < 0:
            raise KeyboardInterrupt
        super().sleep(seconds)


def test_an_interrupted_run_resumes_without_sending_twice(t: Target, tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    with LabClock(t.lab) as lab_clock, pytest.raises(KeyboardInterrupt):
        sesbook.send_bulk(t, _messages(8), source=SENDER, journal=journal, progress=False,
                          clock=_InterruptAfter(lab_clock.lab, waits=3))
    sent_before = {m.to[0] for m in mailbox.messages(t)}
    assert len(sent_before) == 4  # the first send needs no wait; each of three waits let one more go
    rest = sesbook.send_bulk(t, _messages(8), source=SENDER, journal=journal, progress=False)
    assert len(rest.already_sent) == 4 and len(rest.sent) == 4
    everyone = [m.to[0] for m in mailbox.messages(t)]
    assert sorted(everyone) == sorted(f"user{i}@example.net" for i in range(8))  # each exactly once


def test_a_message_left_sending_is_uncertain_and_not_resent_unless_asked(t: Target, tmp_path: Path) -> None:
    journal = tmp_path / "j.jsonl"
    journal.write_text(json.dumps({"key": "order-0", "state": "sending"}) + "\n" + '{"key": "order-1", "sta')
    result = sesbook.send_bulk(t, _messages(2), source=SENDER, journal=journal, progress=False)
    assert result.uncertain == ("order-0",) and [k for k, _ in result.sent] == ["order-1"]  # a torn line is no entry
    again = sesbook.send_bulk(t, _messages(2), source=SENDER, journal=journal, progress=False, resend_uncertain=True)
    assert [k for k, _ in again.sent] == ["order-0"]


def test_throttling_is_retried_with_backoff(t: Target, tmp_path: Path) -> None:
    with LabClock(t.lab) as clock:
        for i in range(5):  # another sender used the whole second's budget (5/s) just before
            sesbook.send_email(t, source=SENDER, to=f"other{i}@example.net", subject="s", text="t")
        result = sesbook.send_bulk(t, _messages(5), source=SENDER, journal=tmp_path / "j.jsonl", progress=False,
                                   clock=clock)
    assert len(result.sent) == 5 and not result.failed
    assert result.throttles == 1  # the first try; after 1/rate seconds of backoff it goes, then the pacing holds
    assert [json.loads(line)["state"] for line in (tmp_path / "j.jsonl").read_text().splitlines()][:4] == [
        "sending", "throttled", "sending", "sent"]


def test_templated_messages_and_the_v1_api(t: Target, tmp_path: Path) -> None:
    sesbook.put_template(t, "hi", subject="Hi {{name}}", text="Hello {{name}}")
    messages = [{"key": f"u{i}", "to": f"u{i}@example.net", "template": "hi", "data": {"name": f"U{i}"}}
                for i in range(3)]
    result = sesbook.send_bulk(t, messages, source=SENDER, journal=tmp_path / "j.jsonl", api="v1", progress=False)
    assert len(result.sent) == 3
    assert sorted(m.subject for m in mailbox.messages(t)) == ["Hi U0", "Hi U1", "Hi U2"]
    assert {m.api for m in mailbox.messages(t)} == {"v1"}


def test_every_message_is_checked_before_the_first_is_sent(t: Target, tmp_path: Path) -> None:
    messages = [*_messages(3), {"key": "bad", "to": "nobody", "subject": "s", "text": "t"}]
    with pytest.raises(sesbook.ValidationError) as caught:
        sesbook.send_bulk(t, messages, source=SENDER, journal=tmp_path / "j.jsonl", progress=False)
    assert caught.value.field == "messages[3].to"
    assert mailbox.messages(t) == ()
    with pytest.raises(sesbook.ValidationError):
        sesbook.send_bulk(t, _messages(2) + _messages(1), source=SENDER, journal=tmp_path / "j.jsonl",
                          progress=False)


def test_plan_only_sends_nothing_and_writes_no_journal(t: Target, tmp_path: Path) -> None:
    with t.dry_run() as plan:
        result = sesbook.send_bulk(t, _messages(3), source=SENDER, journal=tmp_path / "j.jsonl", progress=False)
    assert result.planned == ("order-0", "order-1", "order-2") and result.sent == ()
    assert len(plan) == 3 and not (tmp_path / "j.jsonl").exists()
    assert mailbox.messages(t) == ()


def test_the_sandbox_rate_of_one_a_second(sender: Target, tmp_path: Path) -> None:
    result = sesbook.send_bulk(sender, _messages(3), source=SENDER, journal=tmp_path / "j.jsonl", progress=False)
    assert result.per_second == (1, 1, 1) and result.throttles == 0 and result.allowed_rate == 1


def test_the_pace_plot_is_a_figure_whose_text_sums_up_its_bars() -> None:
    from sesbook.sending.bulk import BulkResult

    result = BulkResult(sent=(("a", "1"), ("b", "2"), ("c", "3")), allowed_rate=2.0, send_times=(0.0, 0.5, 1.2))
    fig = result.plot()
    [ax] = fig.axes
    assert [bar.get_height() for bar in ax.containers[0]] == [2, 1]
    assert repr(fig) == "BulkResult.plot: 3 sends over 2 s, at most 2 in one second (MaxSendRate 2/s)"
    assert fig._repr_png_().startswith(b"\x89PNG")


def _smtp_credentials(target: Target) -> sesbook.SmtpCredentials:
    policy = sesbook.send_policy([sesbook.identity_arn(target, "example.com")])
    return sesbook.ensure_smtp_user(target, "bulk-smtp", policy).credentials()


def test_bulk_through_the_smtp_interface_at_the_accounts_rate(t: Target, tmp_path: Path) -> None:
    creds = _smtp_credentials(t)
    t.sesv2.create_configuration_set(ConfigurationSetName="bulk-set")
    result = sesbook.send_bulk(t, _messages(10), source=SENDER, journal=tmp_path / "j.jsonl", progress=False,
                               api="smtp", credentials=creds, configuration_set="bulk-set",
                               tags={"campaign": "spring"})
    assert len(result.sent) == 10 and result.throttles == 0 and not result.failed
    assert result.per_second == (5, 5) and result.achieved_rate == pytest.approx(5, rel=1e-3)
    box = mailbox.messages(t)
    assert len(box) == 10 and {m.api for m in box} == {"smtp"}
    assert {m.id for m in box} == {message_id for _, message_id in result.sent}
    raw = box[0].raw
    assert "X-SES-CONFIGURATION-SET" not in raw and "X-SES-MESSAGE-TAGS" not in raw  # SES takes them out
    again = sesbook.send_bulk(t, _messages(10), source=SENDER, journal=tmp_path / "j.jsonl", progress=False,
                              api="smtp", credentials=creds)
    assert again.sent == () and len(again.already_sent) == 10 and len(mailbox.messages(t)) == 10


def test_the_configuration_set_header_of_an_smtp_message_is_read(t: Target, tmp_path: Path) -> None:
    """Through SMTP the set is named only by the header: one that does not exist is SES's refusal."""
    result = sesbook.send_bulk(t, _messages(1), source=SENDER, journal=tmp_path / "j.jsonl", progress=False,
                               api="smtp", credentials=_smtp_credentials(t), configuration_set="no-such-set")
    assert result.sent == () and len(result.failed) == 1
    assert "no-such-set" in result.failed[0][2]
    assert not mailbox.messages(t)


_EXAMPLE_CREDENTIALS = sesbook.smtp_credentials("AKIAIOSFODNN7EXAMPLE", "secret", "us-east-1")


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"api": "smtp"}, "credentials"),
    ({"api": "v2", "credentials": _EXAMPLE_CREDENTIALS}, "credentials"),
    ({"api": "smtp", "credentials": _EXAMPLE_CREDENTIALS,
      "messages": [{"key": "k", "to": "a@example.net", "template": "welcome", "data": {}}]}, "messages"),
])
def test_smtp_bulk_is_checked_before_anything_is_sent(t: Target, tmp_path: Path, kwargs: dict[str, Any],
                                                      field: str) -> None:
    messages = kwargs.pop("messages", _messages(2))
    with pytest.raises(sesbook.ValidationError) as refused:
        sesbook.send_bulk(t, messages, source=SENDER, journal=tmp_path / "j.jsonl", progress=False, **kwargs)
    assert refused.value.field == field
    assert not mailbox.messages(t) and not (tmp_path / "j.jsonl").exists()


def test_the_progress_bar_counts_the_messages_of_this_run_on_stderr(t: Target, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    journal = tmp_path / "j.jsonl"
    sesbook.send_bulk(t, _messages(2), source=SENDER, journal=journal, progress=False)
    assert capsys.readouterr().err == ""  # progress=False writes nothing
    result = sesbook.send_bulk(t, _messages(5), source=SENDER, journal=journal, progress=True)
    assert len(result.sent) == 3 and len(result.already_sent) == 2
    out, err = capsys.readouterr()
    assert out == ""
    frames = [f.strip() for f in err.split("\r") if f.strip()]
    assert frames[0].startswith("sending:   0%") and "0/3" in frames[0]  # the total: what this run sends
    assert frames[-1].startswith("sending: 100%") and "3/3" in frames[-1] and "msg/s" in frames[-1]
