"""SMTP credentials: SES's SigV4-style derivation, checked against the published test vectors; never shown."""

from __future__ import annotations

import pickle

import pytest

import sesbook
from sesbook import smtp_credentials
from sesbook.smtp import password_matches, smtp_password

KEY_ID = "AKIAIOSFODNN7EXAMPLE"


# The vectors the Terraform AWS provider's tests publish for aws_iam_access_key.ses_smtp_password_v4.
@pytest.mark.parametrize(("secret", "region", "password"), [
    ("some+secret+key", "eu-central-1", "BMXhUYlu5Z3gSXVQORxlVa7XPaz91aGWdfHxvkOZdWZ2"),
    ("another+secret+key", "eu-central-1", "BBbphbrQmrKMx42d1N6+C7VINYEBGI5v9VsZeTxwskfh"),
])
def test_the_published_test_vectors(secret: str, region: str, password: str) -> None:
    creds = smtp_credentials(KEY_ID, secret, region)
    assert creds.password == password
    assert creds.username == KEY_ID and creds.region == region
    assert smtp_password(secret, region) == password
    assert password_matches(password, secret, region) and password_matches(password.encode(), secret, region)
    assert not password_matches(password, secret, "us-east-1")


def test_a_password_is_for_one_region() -> None:
    assert smtp_password("some+secret+key", "us-east-1") != smtp_password("some+secret+key", "eu-central-1")


def test_the_password_is_never_shown() -> None:
    creds = smtp_credentials(KEY_ID, "some+secret+key", "eu-central-1")
    for shown in (repr(creds), str(creds), f"{creds}", creds._repr_html_(), repr([creds]), repr({"c": creds})):
        assert creds.password not in shown and "some+secret+key" not in shown
        assert KEY_ID in shown and ("<redacted>" in shown or "&lt;redacted&gt;" in shown)


@pytest.mark.parametrize(("args", "field"), [
    ((KEY_ID, "s", "mars-north-1"), "region"),
    ((KEY_ID, "s", "ap-east-1"), "region"),  # an AWS region without SES
    (("akia-lower", "s", "us-east-1"), "access_key_id"),
    (("ASIAIOSFODNN7EXAMPLE", "s", "us-east-1"), "access_key_id"),  # temporary credentials
    ((KEY_ID, "", "us-east-1"), "secret_access_key"),
    ((KEY_ID, "has space", "us-east-1"), "secret_access_key"),
    ((KEY_ID, 42, "us-east-1"), "secret_access_key"),
])
def test_bad_inputs_are_refused_before_anything(args: tuple, field: str) -> None:
    with pytest.raises(sesbook.ValidationError) as refused:
        smtp_credentials(*args)
    assert refused.value.field == field
    if field == "secret_access_key" and args[1]:  # a malformed secret is still a secret
        assert str(args[1]) not in str(refused.value).replace("secret_access_key", "")
        assert "<redacted>" in str(refused.value)


def test_credentials_are_frozen() -> None:
    creds = smtp_credentials(KEY_ID, "some+secret+key", "eu-central-1")
    with pytest.raises(AttributeError):
        creds.password = "x"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(creds)) == creds
