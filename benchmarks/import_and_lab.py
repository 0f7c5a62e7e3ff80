"""Speed figures for importing sesbook, starting a lab and asking it things; printed, never asserted.

Prints one JSON line per figure: ``{"benchmark": ..., "figure": ..., "value": ..., "unit": ..., "target": ...}``.
Targets: ``import sesbook`` under 0.3 s. Each figure is measured in a fresh interpreter.
Run: .venv/bin/python benchmarks/import_and_lab.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from typing import Any

IMPORT_TARGET_S = 0.3


def emit(figure: str, value: float, unit: str, **extra: Any) -> None:
    print(json.dumps({"benchmark": "import_and_lab", "figure": figure, "value": round(value, 6), "unit": unit,
                      **extra}), flush=True)


def _run(script: str) -> list[float]:
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    return [float(x) for x in out.split()]


def import_time(runs: int = 5) -> float:
    script = "import time; t = time.perf_counter(); import sesbook; print(time.perf_counter() - t)"
    return statistics.median(_run(script)[0] for _ in range(runs))


def lab_start_and_first_call() -> list[float]:
    return _run(
        "import time\n"
        "t0 = time.perf_counter()\n"
        "import sesbook\n"
        "t = sesbook.connect('lab')\n"
        "t1 = time.perf_counter()\n"
        "t.ses.get_send_quota()\n"
        "t2 = time.perf_counter()\n"
        "for _ in range(100):\n"
        "    t.ses.get_send_quota()\n"
        "t3 = time.perf_counter()\n"
        "print(t1 - t0, t2 - t1, (t3 - t2) / 100)\n"
    )


def dns_figures(count: int = 200, rounds: int = 5) -> list[float]:
    """One UDP query; then a full record set (every record SES needs, published) checked with 16 queries
    in flight vs one query after another (median of ``rounds`` each)."""
    return _run(
        "import statistics, time, dns.message, dns.query, sesbook\n"
        "t = sesbook.connect('lab')\n"
        "t.route53.create_hosted_zone(Name='example.com', CallerReference='b')\n"
        "records = sesbook.required_records('example.com', region='us-east-1', dkim_tokens=['a1', 'b2', 'c3'],\n"
        "                                   verification_token='tok', mail_from='mail.example.com',\n"
        "                                   dmarc='v=DMARC1; p=none')\n"
        "sesbook.apply_to_route53(t, records)\n"
        "host, port = t.lab.dns_host_port\n"
        "q = dns.message.make_query('example.com', 'SOA')\n"
        "t0 = time.perf_counter()\n"
        f"for _ in range({count}):\n"
        "    dns.query.udp(q, host, port=port, timeout=2)\n"
        f"one = (time.perf_counter() - t0) / {count}\n"
        "def timed(workers):\n"
        "    samples = []\n"
        f"    for _ in range({rounds}):\n"
        "        s = time.perf_counter()\n"
        "        result = sesbook.check_records(records, resolver=t, max_workers=workers, lint_spf=False)\n"
        "        samples.append(time.perf_counter() - s)\n"
        "    return statistics.median(samples), len(result.checks)\n"
        "conc, n = timed(16)\n"
        "seq, _ = timed(1)\n"
        "print(one, conc, seq, n)\n"
    )


def main() -> None:
    imp = import_time()
    emit("import sesbook (median of 5)", imp, "s", target=f"< {IMPORT_TARGET_S}",
         verdict="ok" if imp < IMPORT_TARGET_S else "over target")
    start, first, warm = lab_start_and_first_call()
    emit("connect('lab') incl. private lab start", start, "s")
    emit("first SES call over HTTP", first, "s")
    emit("warm SES call over HTTP (mean of 100)", warm, "s")
    one, concurrent, sequential, count = dns_figures()
    emit("lab DNS query over UDP (mean of 200)", one, "s")
    emit(f"check_records on a full set of {int(count)} records, 16 queries at once (median of 5)", concurrent, "s")
    emit(f"check_records on a full set of {int(count)} records, one query after another (median of 5)",
         sequential, "s")
    emit("check_records speed-up from concurrency", sequential / concurrent, "x")


if __name__ == "__main__":
    main()
