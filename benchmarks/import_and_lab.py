"""Speed figures the project holds itself to, printed (never asserted in tests).

Targets: `import sesbook` under 0.3 s; a private lab ready (moto + DNS) and a first SES call soon after.
Run: .venv/bin/python benchmarks/import_and_lab.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys

IMPORT_TARGET_S = 0.3


def import_time(runs: int = 5) -> float:
    script = "import time; t = time.perf_counter(); import sesbook; print(time.perf_counter() - t)"
    samples = [
        float(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout)
        for _ in range(runs)
    ]
    return statistics.median(samples)


def lab_start_and_first_call() -> tuple[float, float, float]:
    script = (
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
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    start, first, warm = (float(x) for x in out.split())
    return start, first, warm


def dns_queries(count: int = 200) -> float:
    script = (
        "import time, dns.message, dns.query, sesbook\n"
        "t = sesbook.connect('lab')\n"
        "t.route53.create_hosted_zone(Name='example.com', CallerReference='b')\n"
        "host, port = t.lab.dns_host_port\n"
        "q = dns.message.make_query('example.com', 'SOA')\n"
        "t0 = time.perf_counter()\n"
        f"for _ in range({count}):\n"
        "    dns.query.udp(q, host, port=port, timeout=2)\n"
        f"print((time.perf_counter() - t0) / {count})\n"
    )
    return float(subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout)


def main() -> None:
    imp = import_time()
    start, first, warm = lab_start_and_first_call()
    per_query = dns_queries()
    verdict = "ok" if imp < IMPORT_TARGET_S else "OVER TARGET"
    target_ms = IMPORT_TARGET_S * 1000
    print(f"import sesbook (median of 5):           {imp * 1000:7.1f} ms  (target < {target_ms:.0f} ms: {verdict})")
    print(f"connect('lab') incl. private lab start: {start * 1000:7.1f} ms")
    print(f"first SES call over HTTP:               {first * 1000:7.1f} ms")
    print(f"warm SES call over HTTP (mean of 100):  {warm * 1000:7.1f} ms")
    print(f"lab DNS query over UDP (mean of 200):   {per_query * 1000:7.2f} ms")


if __name__ == "__main__":
    main()
