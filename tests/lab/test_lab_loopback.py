"""The lab listens on loopback only: every address it announces is a loopback address, and its TCP
ports cannot be reached through this machine's other addresses (issue #14, "Safety")."""

from __future__ import annotations

import ipaddress
import socket
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sesbook.lab import LabInfo


def _announced(info: LabInfo) -> dict[str, tuple[str, int]]:
    """Every server the lab announces in its JSON line, as (host, port)."""
    found = {"aws_endpoint": info.aws_endpoint.removeprefix("http://")}
    found |= {name: value for name in ("dns", "inbound_smtp", "smtp") if (value := getattr(info, name, None))}
    return {name: (text.rpartition(":")[0].strip("[]"), int(text.rpartition(":")[2])) for name, text in found.items()}


def _outside_address() -> str | None:
    """One of this machine's addresses that is not loopback (None when it has none)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent for a UDP connect
        address = probe.getsockname()[0]
    except OSError:
        return None
    finally:
        probe.close()
    return None if ipaddress.ip_address(address).is_loopback else address


def test_every_announced_server_is_on_loopback(lab_info: LabInfo) -> None:
    servers = _announced(lab_info)
    assert {"aws_endpoint", "dns"} <= set(servers)
    for name, (host, _port) in servers.items():
        assert ipaddress.ip_address(host).is_loopback, f"{name} listens on {host}"


def test_tcp_servers_refuse_connections_from_outside_loopback(lab_info: LabInfo) -> None:
    outside = _outside_address()
    if outside is None:
        pytest.skip("this machine has no address other than loopback to try")
    for name, (_host, port) in _announced(lab_info).items():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            client.settimeout(2)
            with pytest.raises(OSError):
                client.connect((outside, port))
                pytest.fail(f"{name} accepted a connection on {outside}:{port}")
