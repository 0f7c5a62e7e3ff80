"""Inbound mail through the lab: SMTP -> receipt rules -> S3, and the lab's memory; printed, never asserted.

Starts ``python -m sesbook lab`` in its own process (so its memory is its own), verifies ``example.com``,
makes one receipt rule that stores every message for the domain in S3, then sends with ``CLIENTS`` (20)
concurrent smtplib clients, each on its own connection, one message after another (``RSET`` between).
Prints one JSON line per figure:

- ``messages_per_second``: acknowledged (250) messages per second for the first ``--measure`` messages
  (target: at least 200/s with 20 clients);
- ``rss_mb`` of the lab process before any mail, after the measured messages and after ``--total``
  (10,000) messages: bounded means it grows with what S3 keeps (every message is stored, as SES would),
  not with the number of sessions; ``rss_growth_per_message_kb`` shows it;
- ``stored``: objects in the bucket at the end (equal to the messages acknowledged).

Run: .venv/bin/python benchmarks/inbound.py [--total 10000] [--measure 2000] [--clients 20]
"""

from __future__ import annotations

import argparse
import json
import os
import smtplib
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGET_PER_SECOND = 200


def emit(figure: str, value: float, unit: str, **extra: Any) -> None:
    print(json.dumps({"benchmark": "inbound", "figure": figure, "value": round(value, 3), "unit": unit, **extra}),
          flush=True)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def message(n: int) -> bytes:
    return (f"From: sender@sender.test\r\nTo: inbox@example.com\r\nSubject: message {n}\r\n"
            f"Message-ID: <bench-{n}@sender.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"\r\n" + "A line of an ordinary message body.\r\n" * 20).encode()


class Sender:
    """``clients`` threads, each with one SMTP session, taking message numbers from a shared counter."""

    def __init__(self, host: str, port: int, clients: int) -> None:
        self.host, self.port, self.clients = host, port, clients
        self.lock = threading.Lock()
        self.next = 0
        self.acked = 0
        self.refused = 0

    def _take(self, limit: int) -> int | None:
        with self.lock:
            if self.next >= limit:
                return None
            self.next += 1
            return self.next

    def _client(self, limit: int) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=60) as client:
            client.ehlo("mail.sender.test")
            while (n := self._take(limit)) is not None:
                try:
                    client.sendmail("sender@sender.test", ["inbox@example.com"], message(n))
                    ok = True
                except smtplib.SMTPException:
                    ok = False
                    client.rset()
                with self.lock:
                    self.acked += ok
                    self.refused += not ok

    def send_until(self, limit: int) -> float:
        start = time.perf_counter()
        with ThreadPoolExecutor(self.clients) as pool:
            for future in [pool.submit(self._client, limit) for _ in range(self.clients)]:
                future.result()
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=10_000, help="messages in all (memory is read after them)")
    parser.add_argument("--measure", type=int, default=2_000, help="messages the rate is measured over")
    parser.add_argument("--clients", type=int, default=20, help="concurrent SMTP clients")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sesbook-bench-") as tmp:
        env = {**os.environ, "SESBOOK_LAB_STATE": str(Path(tmp) / "lab.json"), "PYTHONPATH": str(ROOT)}
        env.pop("SESBOOK_LAB", None)
        lab = subprocess.Popen([sys.executable, "-m", "sesbook", "lab", "--seed", "1", "--no-state-file"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
        try:
            assert lab.stdout is not None
            announced = lab.stdout.readline()
            if not announced:
                sys.exit("the lab did not start")
            os.environ["SESBOOK_LAB"] = announced.strip()
            import sesbook

            target = sesbook.connect("lab")
            sesbook.ensure_verified_sender(target, domain="example.com")
            target.s3.create_bucket(Bucket="bench-inbox")
            sesbook.apply_bucket_policy(target, "bench-inbox", rule_set="bench", rule="store", prefix="in/")
            target.ses.create_receipt_rule_set(RuleSetName="bench")
            target.ses.create_receipt_rule(RuleSetName="bench", Rule={
                "Name": "store", "Enabled": True, "Recipients": ["example.com"],
                "Actions": [{"S3Action": {"BucketName": "bench-inbox", "ObjectKeyPrefix": "in/"}}]})
            target.ses.set_active_receipt_rule_set(RuleSetName="bench")
            info = json.loads(announced)
            host, _, port = info["inbound_smtp"].rpartition(":")

            emit("rss_mb", rss_mb(lab.pid), "MB", after_messages=0)
            sender = Sender(host, int(port), args.clients)
            seconds = sender.send_until(args.measure)
            emit("messages_per_second", sender.acked / seconds, "msg/s", clients=args.clients,
                 messages=sender.acked, refused=sender.refused, target=TARGET_PER_SECOND)
            measured_rss = rss_mb(lab.pid)
            emit("rss_mb", measured_rss, "MB", after_messages=sender.acked)
            sender.send_until(args.total)
            final_rss = rss_mb(lab.pid)
            emit("rss_mb", final_rss, "MB", after_messages=sender.acked)
            grown = (final_rss - measured_rss) * 1024 / max(1, args.total - args.measure)
            emit("rss_growth_per_message_kb", grown, "KB", message_bytes=len(message(1)))
            stored = sum(page.get("KeyCount", 0) for page in
                         target.s3.get_paginator("list_objects_v2").paginate(Bucket="bench-inbox"))
            emit("stored", stored, "objects", acknowledged=sender.acked, refused=sender.refused)
        finally:
            lab.terminate()
            lab.wait(timeout=30)


if __name__ == "__main__":
    main()
