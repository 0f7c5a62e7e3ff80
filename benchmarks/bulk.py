"""Bulk sending against a private lab: send_bulk's pacing next to a naive loop, as JSON lines.

Each line: ``sender``, ``messages``, ``sent``, ``allowed_rate`` (the account's MaxSendRate), ``achieved_rate``
(recipients per second accepted), ``ratio`` (achieved / allowed), ``throttles`` (throttled answers) and
``wall_seconds`` (real time the run took).

- ``send_bulk``: paced at MaxSendRate on the lab clock (held still; the pacer moves it), so its rate is the
  lab's seconds and no real time is spent waiting; throttles should be 0 and the ratio 1.0.
- ``naive_loop``: every message sent once, as fast as the machine can, on the lab's running clock, no pacing
  and no retry: whatever goes over the rate is refused (``Throttling``) and counted; its rate is real seconds.
- ``send_bulk_smtp`` and ``naive_loop_smtp``: the same two through the SMTP interface (STARTTLS, AUTH with
  SMTP credentials derived from an IAM key, one connection per message), where SES answers ``454 Throttling
  failure`` to a send over the rate.

The defaults are the issue's: 50 messages a second for 30 lab-seconds (1,500 messages per run; targets for
``send_bulk``: ratio at least 0.97 and no throttles).

Run: .venv/bin/python benchmarks/bulk.py [--rate 50] [--seconds 30]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import sesbook
from sesbook.facts import THROTTLING_CODES
from sesbook.sending.send import unpaced

SENDER = "shop@example.com"


def _verify(target: sesbook.Target, domain: str) -> None:
    """Verify ``domain`` as a user would in the lab: the v1 token published as TXT in the lab's Route 53."""
    token = target.ses.verify_domain_identity(Domain=domain)["VerificationToken"]
    zone = target.route53.create_hosted_zone(Name=domain, CallerReference=f"bench-{domain}")["HostedZone"]["Id"]
    target.route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{
        "Action": "UPSERT", "ResourceRecordSet": {"Name": f"_amazonses.{domain}", "Type": "TXT", "TTL": 300,
                                                  "ResourceRecords": [{"Value": f'"{token}"'}]}}]})


def _production(target: sesbook.Target, rate: float, quota: float) -> None:
    sesbook.set_lab_review(target, outcome="GRANTED", granted_max_send_rate=rate, granted_max_24_hour_send=quota)
    sesbook.request_production_access(target, mail_type="TRANSACTIONAL", website_url="https://example.com",
                                      use_case="Benchmark of paced bulk sending against the lab.")
    sesbook.wait_for_review(target, interval=30, progress=False)


def _messages(n: int, prefix: str) -> list[dict[str, str]]:
    return [{"key": f"{prefix}-{i}", "to": f"{prefix}{i}@example.net", "subject": f"Message {i}", "text": "Hi."}
            for i in range(n)]


def paced(target: sesbook.Target, n: int, credentials: sesbook.SmtpCredentials | None = None) -> dict[str, object]:
    via = {"api": "smtp", "credentials": credentials} if credentials else {}
    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        result = sesbook.send_bulk(target, _messages(n, "smtp" if credentials else "paced"), source=SENDER,
                                   journal=Path(folder) / "j.jsonl", progress=False, **via)
        wall = time.perf_counter() - t0
    return {"sender": "send_bulk_smtp" if credentials else "send_bulk", "messages": n, "sent": len(result.sent),
            "allowed_rate": result.allowed_rate,
            "achieved_rate": round(result.achieved_rate, 3),
            "ratio": round(result.achieved_rate / result.allowed_rate, 3), "throttles": result.throttles,
            "wall_seconds": round(wall, 3)}


def naive(target: sesbook.Target, n: int, allowed: float,
          credentials: sesbook.SmtpCredentials | None = None) -> dict[str, object]:
    sent = throttles = 0
    t0 = time.perf_counter()
    with unpaced():  # no waiting for the rate: that is the point of the naive loop
        for message in _messages(n, "naive-smtp" if credentials else "naive"):
            try:
                if credentials:
                    mime = sesbook.build_message(source=SENDER, to=message["to"], subject=message["subject"],
                                                 text=message["text"])
                    sesbook.send_smtp(target, mime, credentials)
                else:
                    sesbook.send_email(target, source=SENDER, to=message["to"], subject=message["subject"],
                                       text=message["text"])
                sent += 1
            except sesbook.AwsError as exc:
                if exc.code not in THROTTLING_CODES:
                    raise
                throttles += 1
    wall = time.perf_counter() - t0
    rate = sent / wall if wall > 0 else 0.0
    return {"sender": "naive_loop_smtp" if credentials else "naive_loop", "messages": n, "sent": sent,
            "allowed_rate": allowed,
            "achieved_rate": round(rate, 3), "ratio": round(rate / allowed, 3), "throttles": throttles,
            "wall_seconds": round(wall, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=50.0, help="the lab account's MaxSendRate (default 50)")
    parser.add_argument("--seconds", type=float, default=30.0, help="lab-seconds of sending per run (default 30)")
    args = parser.parse_args()
    messages = int(args.rate * args.seconds)
    target = sesbook.connect("lab")
    for domain in ("example.com", "example.net"):
        _verify(target, domain)
    _production(target, args.rate, 10 * messages)
    user = sesbook.ensure_smtp_user(target, "bench-smtp",
                                    sesbook.send_policy([sesbook.identity_arn(target, "example.com")]))
    credentials = user.credentials()
    print(json.dumps(paced(target, messages)), flush=True)
    print(json.dumps(paced(target, messages, credentials)), flush=True)
    print(json.dumps(naive(target, messages, args.rate)), flush=True)
    print(json.dumps(naive(target, messages, args.rate, credentials)), flush=True)


if __name__ == "__main__":
    main()
