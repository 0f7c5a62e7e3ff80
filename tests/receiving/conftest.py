"""Fixtures for the receiving tests: an "aws" target in plan-only mode whose reads go to the lab."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import pytest

import sesbook
from sesbook._aws import is_mutating

from helpers import python_function

if TYPE_CHECKING:
    from sesbook.lab import LabInfo


class WireLog:
    """The operations botocore put on the wire (``Action=`` of query-protocol calls, or the URL)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __call__(self, request: Any, **_: Any) -> None:
        body = request.body
        if isinstance(body, bytes):
            body = body.decode()
        action = parse_qs(body or "").get("Action", [""])[0]
        self.sent.append(action or f"{request.method} {request.url}")

    @property
    def mutating(self) -> list[str]:
        """Query-protocol actions that change something, and REST requests (S3, Lambda) other than GET/HEAD."""
        return [op for op in self.sent
                if (" " not in op and is_mutating(op)) or (" " in op and op.split()[0] not in ("GET", "HEAD"))]


@pytest.fixture
def planning_aws(lab_info: LabInfo, monkeypatch: pytest.MonkeyPatch) -> tuple[sesbook.Target, WireLog]:
    """``connect("aws", apply=False)`` with the lab standing in for AWS: reads answer, changes are planned."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", lab_info.aws_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    target = sesbook.connect("aws", region="us-east-1")
    wire = WireLog()
    target.session.events.register("before-send.*.*", wire)
    return target, wire


@pytest.fixture
def function_arn(target: sesbook.Target) -> str:
    """A Lambda function in the lab (a Python handler in a zip), as a receipt rule's Lambda action names it."""
    return python_function(target, "screen", "handler",
                           "def handler(event, context):\n    return {'disposition': 'CONTINUE'}\n", role="screen-role")
