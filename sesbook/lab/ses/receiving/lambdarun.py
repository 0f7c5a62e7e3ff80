"""Run a Lambda function's own Python handler for SES's Lambda action, without Docker.

moto stores each function's deployment package (the zip) but can only run it in Docker; the lab unpacks
the zip into a temporary folder and calls the handler (``Handler`` ``module.function``) in a separate
Python process, with the SES event on stdin and the handler's return value read back as JSON. The
process gets the function's ``Environment`` variables, dummy credentials and the lab's endpoint
(``AWS_ENDPOINT_URL``), so a handler that calls AWS with boto3 talks to the lab.

Timeouts are bounded: the function's own ``Timeout`` and never more than 30 seconds, the time SES waits for
a ``RequestResponse`` answer (Developer Guide, "Invoke Lambda function action",
https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda.html, checked 2026). Only Python
runtimes can run; another runtime fails the action (recorded, not fatal to the message).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from typing import Any

from sesbook.lab import ACCOUNT_ID

MAX_SECONDS = 30
_MARK = "\x1esesbook-lambda-result\x1e"

_RUNNER = f"""
import importlib, json, sys, types
module_name, _, function_name = sys.argv[1].rpartition(".")
event = json.load(sys.stdin)
context = types.SimpleNamespace(function_name=sys.argv[2], invoked_function_arn=sys.argv[3],
                                aws_request_id=sys.argv[4], memory_limit_in_mb=128,
                                get_remaining_time_in_millis=lambda: 30000)
result = getattr(importlib.import_module(module_name), function_name)(event, context)
sys.stdout.write({_MARK!r} + json.dumps(result))
"""


@dataclass(frozen=True)
class LambdaResult:
    ok: bool
    result: Any = None
    error: str | None = None
    logs: str = ""


def run_handler(function_arn: str, region: str, event: dict[str, Any], *, request_id: str) -> LambdaResult:
    """Run the function named by ``function_arn`` (moto's Lambda backend in ``region``) with ``event``."""
    from moto.awslambda.models import lambda_backends

    try:
        function = lambda_backends[ACCOUNT_ID][region].get_function(function_arn)
    except Exception as exc:  # noqa: BLE001 - moto raises several kinds for "not found"
        return LambdaResult(False, error=f"function {function_arn} not found: {exc}")
    runtime = str(function.run_time or "")
    if not runtime.startswith("python"):
        return LambdaResult(False, error=f"the lab runs Python handlers only; {function.function_name} is {runtime}")
    timeout = max(1, min(int(function.timeout or 3), MAX_SECONDS))
    env = {"PATH": os.environ.get("PATH", ""), "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": region, "AWS_REGION": region, "AWS_LAMBDA_FUNCTION_NAME": function.function_name}
    from sesbook.lab import current

    lab = current()
    if lab is not None and lab.info is not None:
        env["AWS_ENDPOINT_URL"] = lab.info.aws_endpoint
    env.update(getattr(function, "environment_vars", None) or {})
    with tempfile.TemporaryDirectory(prefix="sesbook-lambda-") as folder:
        try:
            zipfile.ZipFile(io.BytesIO(function.code_bytes)).extractall(folder)
        except zipfile.BadZipFile as exc:
            return LambdaResult(False, error=f"the deployment package of {function.function_name} is not a zip: {exc}")
        env["PYTHONPATH"] = folder
        try:
            done = subprocess.run(  # noqa: S603 - our own interpreter and runner, the user's handler
                [sys.executable, "-c", _RUNNER, str(function.handler), function.function_name, function_arn,
                 request_id], input=json.dumps(event), capture_output=True, text=True, cwd=folder, env=env,
                timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return LambdaResult(False, error=f"Task timed out after {timeout} seconds")
    if done.returncode != 0 or _MARK not in done.stdout:
        last = (done.stderr.strip().splitlines() or ["the handler returned nothing"])[-1]
        return LambdaResult(False, error=last, logs=done.stderr[-2000:])
    logs, _, text = done.stdout.rpartition(_MARK)
    try:
        result = json.loads(text)
    except ValueError as exc:
        return LambdaResult(False, error=f"the handler's answer is not JSON: {exc}", logs=logs)
    return LambdaResult(True, result, logs=(logs + done.stderr)[-2000:])
