"""The lab: moto over HTTP with the registry's patches, reset, clock, seeding and how clients find it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from sesbook.errors import AwsError, LabError
from sesbook.lab import LabInfo, ensure_lab, registry
from sesbook.lab.runtime import Lab

if TYPE_CHECKING:
    import sesbook

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.lab


# -- the registry ----------------------------------------------------------------------------------------
def test_every_patch_is_in_place(lab: Lab) -> None:
    assert registry.installed()
    assert registry.PATCHES, "no lab extensions registered"
    for patch in registry.PATCHES:
        assert registry.patched(patch.owner, patch.name), f"{patch.owner}.{patch.name} is not patched"


def test_moto_is_the_pinned_version() -> None:
    import moto

    assert moto.__version__ == registry.MOTO_VERSION
    pins = (ROOT / "requirements.txt").read_text()
    assert f"]=={registry.MOTO_VERSION}" in pins


def test_a_vanished_moto_name_fails_loudly() -> None:
    with pytest.raises(LabError, match="moto has no moto.ses.models.NoSuchBackend"):
        registry.resolve("moto.ses.models.NoSuchBackend")
    bad = registry.Patch("wrap", "moto.ses.models.SESBackend", "no_such_method", lambda orig, self: None)
    with pytest.raises(LabError, match="no method 'no_such_method'"):
        registry.apply(bad)


def test_receipt_filters_round_trip(target: sesbook.Target) -> None:
    ses = target.ses
    ses.create_receipt_filter(Filter={"Name": "block-all", "IpFilter": {"Policy": "Block", "Cidr": "0.0.0.0/0"}})
    ses.create_receipt_filter(Filter={"Name": "allow-mx", "IpFilter": {"Policy": "Allow", "Cidr": "192.0.2.1"}})
    assert [f["Name"] for f in ses.list_receipt_filters()["Filters"]] == ["block-all", "allow-mx"]
    ses.delete_receipt_filter(FilterName="block-all")
    ses.delete_receipt_filter(FilterName="never-existed")  # not an error, as in SES
    assert ses.list_receipt_filters()["Filters"] == [
        {"Name": "allow-mx", "IpFilter": {"Policy": "Allow", "Cidr": "192.0.2.1"}}
    ]


@pytest.mark.parametrize(
    ("flt", "code", "text"),
    [
        ({"Name": "-bad", "IpFilter": {"Policy": "Block", "Cidr": "10.0.0.0/8"}}, "InvalidParameterValue", "name"),
        ({"Name": "ok", "IpFilter": {"Policy": "Deny", "Cidr": "10.0.0.0/8"}}, "InvalidParameterValue", "Block"),
        ({"Name": "ok", "IpFilter": {"Policy": "Block", "Cidr": "10.0.0.0/33"}}, "InvalidParameterValue", "CIDR"),
        ({"Name": "ok", "IpFilter": {"Policy": "Block", "Cidr": "2001:db8::/32"}}, "InvalidParameterValue", "IPv4"),
    ],
)
def test_receipt_filter_validation(target: sesbook.Target, flt: dict[str, Any], code: str, text: str) -> None:
    from sesbook._aws import aws_errors

    with pytest.raises(AwsError) as info, aws_errors("ses"):
        target.ses.create_receipt_filter(Filter=flt)
    assert info.value.code == code and text in info.value.message
    assert target.ses.list_receipt_filters()["Filters"] == []


def test_receipt_filter_duplicates_and_limit(target: sesbook.Target) -> None:
    from sesbook._aws import aws_errors
    from sesbook.lab.ses.receiving.state import MAX_RECEIPT_FILTERS

    for i in range(MAX_RECEIPT_FILTERS):
        target.ses.create_receipt_filter(Filter={"Name": f"f{i}", "IpFilter": {"Policy": "Block", "Cidr": "10.0.0.1"}})
    with pytest.raises(AwsError) as dup, aws_errors("ses"):
        target.ses.create_receipt_filter(Filter={"Name": "f0", "IpFilter": {"Policy": "Block", "Cidr": "10.0.0.1"}})
    assert dup.value.code == "AlreadyExists"
    with pytest.raises(AwsError) as limit, aws_errors("ses"):
        target.ses.create_receipt_filter(
            Filter={"Name": "one-more", "IpFilter": {"Policy": "Block", "Cidr": "10.0.0.1"}}
        )
    assert limit.value.code == "LimitExceeded"


def test_reset_clears_moto_and_extension_state(target: sesbook.Target, lab: Lab) -> None:
    target.ses.verify_email_identity(EmailAddress="a@example.com")
    target.ses.create_receipt_filter(Filter={"Name": "f", "IpFilter": {"Policy": "Block", "Cidr": "10.0.0.1"}})
    target.lab.advance_clock(3600)  # type: ignore[union-attr]
    target.lab.reset()  # type: ignore[union-attr]
    assert target.ses.list_identities()["Identities"] == []
    assert target.ses.list_receipt_filters()["Filters"] == []
    assert target.lab.clock()["offset_seconds"] == 0  # type: ignore[union-attr]


def test_motos_own_reset_clears_the_lab_state_too(target: sesbook.Target) -> None:
    assert target.lab is not None
    target.ses.create_receipt_filter(Filter={"Name": "f", "IpFilter": {"Policy": "Block", "Cidr": "10.0.0.1"}})
    target.ses.verify_email_identity(EmailAddress="me@example.org")  # mails a verification message
    assert target.lab.request("GET", "/_aws/ses")["messages"]
    target.lab.advance_clock(600)
    target.lab.request("POST", "/moto-api/reset")
    assert target.ses.list_receipt_filters()["Filters"] == []
    assert target.lab.request("GET", "/_aws/ses")["messages"] == []
    assert target.lab.clock()["offset_seconds"] == 0


def test_clock_moves_forward_only(target: sesbook.Target) -> None:
    assert target.lab is not None
    before = target.lab.clock()
    after = target.lab.advance_clock(86400)
    assert after["offset_seconds"] == before["offset_seconds"] + 86400
    with pytest.raises(LabError, match="only moves forward"):
        target.lab.advance_clock(-1)


def test_frozen_clock_moves_only_when_advanced(target: sesbook.Target, lab: Lab) -> None:
    assert target.lab is not None
    first = target.lab.freeze_clock()
    assert first["frozen"] is True
    assert target.lab.clock()["now"] == first["now"]
    moved = target.lab.advance_clock(5)
    from datetime import datetime

    gap = datetime.fromisoformat(moved["now"]) - datetime.fromisoformat(first["now"])
    assert gap.total_seconds() == 5
    running = target.lab.unfreeze_clock()
    assert running["frozen"] is False
    resumed = datetime.fromisoformat(running["now"]) - datetime.fromisoformat(moved["now"])
    assert 0 <= resumed.total_seconds() < 5, "unfreezing must not jump the lab clock"
    target.lab.freeze_clock()
    target.lab.reset()
    assert target.lab.clock()["frozen"] is False


def test_unknown_sesv2_paths_reach_moto(target: sesbook.Target) -> None:
    # The catch-all route sends /v2/email/... to moto's dispatcher; moto's own actions still work.
    target.sesv2.create_email_identity(EmailIdentity="a@example.com")
    names = [i["IdentityName"] for i in target.sesv2.list_email_identities()["EmailIdentities"]]
    assert names == ["a@example.com"]


# -- finding a lab ---------------------------------------------------------------------------------------
def test_in_process_lab_is_found_first(lab: Lab) -> None:
    assert ensure_lab() == lab.info


def test_second_lab_in_one_process_is_refused(lab: Lab) -> None:
    with pytest.raises(LabError, match="already running in this process"):
        Lab().start()


def _run_lab(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], LabInfo]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "sesbook", "lab", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env or os.environ.copy(),
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    return proc, LabInfo.from_json(line)


def _stop(proc: subprocess.Popen[str]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(timeout=20)


def test_cli_lab_prints_one_json_line_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = os.environ.copy()
    state = tmp_path / "lab.json"
    env["SESBOOK_LAB_STATE"] = str(state)
    proc, info = _run_lab("--seed", "1", "--region", "eu-west-1", env=env)
    try:
        assert info.aws_endpoint.startswith("http://127.0.0.1:")
        assert info.dns.startswith("127.0.0.1:")
        assert (info.region, info.account_id, info.seed) == ("eu-west-1", "123456789012", 1)
        assert json.loads(state.read_text())["aws_endpoint"] == info.aws_endpoint
        assert info.alive()
    finally:
        assert _stop(proc) == 0
    assert not state.exists(), "the state file outlived its lab"
    assert proc.stdout is not None and proc.stdout.read() == "", "stdout must hold only the JSON line"


def _ids_from_a_seeded_lab(seed: int) -> list[str]:
    env = os.environ.copy()
    env.pop("SESBOOK_LAB", None)
    proc, info = _run_lab("--seed", str(seed), "--no-state-file", env=env)
    try:
        script = (
            "import json, sesbook\n"
            "t = sesbook.connect('lab')\n"
            "zone = t.route53.create_hosted_zone(Name='example.com', CallerReference='r')['HostedZone']['Id']\n"
            "topic = t.sns.create_topic(Name='feedback')['TopicArn']\n"
            "message = t.sns.publish(TopicArn=topic, Message='hello')['MessageId']\n"
            "token = t.ses.verify_domain_identity(Domain='example.com')['VerificationToken']\n"
            "print(json.dumps([zone, message, token]))\n"
        )
        child_env = os.environ.copy()
        child_env["SESBOOK_LAB"] = info.to_json()
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=child_env,
                             cwd=ROOT, timeout=60, check=True)
        return list(json.loads(out.stdout))
    finally:
        _stop(proc)


def test_same_seed_same_ids() -> None:
    first, second = _ids_from_a_seeded_lab(7), _ids_from_a_seeded_lab(7)
    assert first == second
    other = _ids_from_a_seeded_lab(8)
    assert other[0] != first[0] and other[1] != first[1]


def test_announced_lab_that_is_gone_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, lab: Lab) -> None:
    monkeypatch.setattr("sesbook.lab._current", None)
    gone = LabInfo(aws_endpoint="http://127.0.0.1:9", dns="127.0.0.1:9", region="us-east-1", account_id="1")
    monkeypatch.setenv("SESBOOK_LAB", gone.to_json())
    with pytest.raises(LabError, match="does not answer"):
        ensure_lab()
    monkeypatch.setenv("SESBOOK_LAB", "{not json")
    with pytest.raises(LabError, match="not valid JSON"):
        ensure_lab()


def test_stale_state_file_is_ignored(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lab: Lab) -> None:
    from sesbook.lab import from_state_file

    stale = LabInfo(aws_endpoint="http://127.0.0.1:9", dns="127.0.0.1:9", region="us-east-1", account_id="1")
    path = tmp_path / "lab.json"
    path.write_text(stale.to_json())
    monkeypatch.setenv("SESBOOK_LAB_STATE", str(path))
    with pytest.warns(UserWarning, match="stale lab state file"):
        assert from_state_file() is None
    assert lab.info is not None
    path.write_text(lab.info.to_json())
    assert from_state_file() == lab.info


def test_private_lab_starts_when_none_is_announced(tmp_path: Path) -> None:
    script = (
        "import socket, sesbook\n"
        "t = sesbook.connect('lab')\n"
        "print(t.ses.get_send_quota()['Max24HourSend'], t.lab.seed)\n"
    )
    env = os.environ.copy()
    env.pop("SESBOOK_LAB", None)
    env["SESBOOK_LAB_STATE"] = str(tmp_path / "none.json")
    env["SESBOOK_LAB_SEED"] = "3"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60,
                         check=True)
    assert out.stdout.split() == ["200.0", "3"]


def test_import_opens_no_socket_and_loads_no_aws_sdk() -> None:
    script = (
        "import socket, sys\n"
        "def refuse(*a, **k):\n"
        "    raise SystemExit('socket opened during import')\n"
        "socket.socket = refuse\n"
        "import sesbook\n"
        "heavy = sorted(m for m in ('boto3', 'botocore', 'moto', 'dns', 'papermill') if m in sys.modules)\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_a_region_without_ses_gets_an_ses_shaped_400(target: sesbook.Target, api: str) -> None:
    import boto3
    from botocore.exceptions import ClientError

    client = boto3.client("ses" if api == "v1" else "sesv2", region_name="us-east-99",
                          endpoint_url=target.lab.aws_endpoint, aws_access_key_id="testing",  # type: ignore[union-attr]
                          aws_secret_access_key="testing")
    with pytest.raises(ClientError) as info:
        client.get_send_quota() if api == "v1" else client.get_account()
    error = info.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Error"]["Code"] == ("InvalidParameterValue" if api == "v1" else "BadRequestException")
    assert "us-east-99 is not a region where Amazon SES runs" in error["Error"]["Message"]
    assert "get-parameters-by-path" in error["Error"]["Message"]
