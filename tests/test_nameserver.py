"""SESBOOK_NAMESERVER: the aws target's resolver asks that server instead of the system's (opt-in)."""

from __future__ import annotations

import pytest

import sesbook


def test_unset_keeps_the_system_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SESBOOK_NAMESERVER", raising=False)
    target = sesbook.connect("aws", region="eu-west-1")
    assert target.endpoints.dns is None
    assert target.resolver.port == 53


def test_set_points_the_aws_resolver_at_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SESBOOK_NAMESERVER", "127.0.0.1:53535")
    target = sesbook.connect("aws", region="eu-west-1")
    assert (target.resolver.nameservers, target.resolver.port) == (["127.0.0.1"], 53535)
    assert target.endpoints.dns == "127.0.0.1:53535"
    monkeypatch.setenv("SESBOOK_NAMESERVER", "[::1]:53")
    assert sesbook.connect("aws").resolver.nameservers == ["::1"]


@pytest.mark.parametrize("value", ["localhost:53", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:dns"])
def test_a_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SESBOOK_NAMESERVER", value)
    with pytest.raises(sesbook.ValidationError, match="SESBOOK_NAMESERVER"):
        _ = sesbook.connect("aws").resolver
