"""The SES account's actions: SESv2 ``GetAccount``, ``PutAccountDetails``, ``PutAccountSendingAttributes``;
SES v1 ``GetAccountSendingEnabled``, ``UpdateAccountSendingEnabled`` and ``GetSendQuota`` (from the same
numbers as ``GetAccount``); and the lab's ``/_sesbook/account/review`` control path.
"""

from __future__ import annotations

import json
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.ses.exceptions import InvalidParameterValue

from sesbook.lab import current
from sesbook.lab.registry import route, v1_action, v2_action, wrap
from sesbook.lab.ses._wire import SES_BACKEND, ses_backend_for, v2_body
from sesbook.lab.ses.account.state import (
    account,
    account_lock,
    change_review_settings,
    get_account_document,
    send_quota,
    update_details,
    validate_account_details,
)
from sesbook.lab.ses.errors import BadRequestException


@wrap(SES_BACKEND, "get_send_quota")
def _get_send_quota(original: Any, self: Any) -> Any:
    """moto's SESQuota object, with the account's numbers instead of moto's fixed 200/1."""
    quota = original(self)
    numbers = send_quota(self)
    quota.max24_hour_send = numbers["Max24HourSend"]
    quota.max_send_rate = numbers["MaxSendRate"]
    quota.sent_last24_hours = numbers["SentLast24Hours"]
    return quota


# -- v1 -----------------------------------------------------------------------------------------------------
@v1_action("get_account_sending_enabled")
def get_account_sending_enabled(self: Any) -> ActionResult:
    return ActionResult({"Enabled": account(self.backend).sending_enabled})


@v1_action("update_account_sending_enabled")
def update_account_sending_enabled(self: Any) -> ActionResult:
    enabled = self._get_param("Enabled")
    _set_sending(self.backend, str(enabled).lower() == "true" or enabled is True, "v1")
    return EmptyResult()


def _set_sending(backend: Any, enabled: bool, api: str) -> None:
    """Turn sending on or off; not on while SES has paused the account for its reputation.

    SESv2 API Reference, PutAccountSendingAttributes (checked 2026): "If AWS paused your account's ability to
    send email, you can't use this operation to resume your account's ability to send email." SES does not
    document the error; the lab refuses with the API's invalid-input error and says how to get out.
    """
    with account_lock:
        acct = account(backend)
        if enabled and acct.enforcement_status == "SHUTDOWN":
            text = ("Sending was paused by Amazon SES because of the account's bounce or complaint rate "
                    "(EnforcementStatus SHUTDOWN); it cannot be resumed with this operation. In AWS, fix the "
                    "cause and ask for a review in a support case; in the lab, POST /_sesbook/reputation "
                    '{"reset": true}.')
            raise BadRequestException(text) if api == "v2" else InvalidParameterValue(text)
        acct.sending_enabled = enabled


# -- v2 -----------------------------------------------------------------------------------------------------
@v2_action("get_account")
def get_account(self: Any) -> str:
    return json.dumps(get_account_document(self.sesv2_backend.core_backend))


@v2_action("put_account_sending_attributes")
def put_account_sending_attributes(self: Any) -> str:
    params = v2_body(self)
    _set_sending(self.sesv2_backend.core_backend, bool(params.get("SendingEnabled", False)), "v2")
    return "{}"


@v2_action("put_account_details")
def put_account_details(self: Any) -> str:
    params = v2_body(self)
    problems = validate_account_details(params)
    if problems:
        raise BadRequestException(" ".join(problems))
    update_details(self.sesv2_backend.core_backend, params)
    return "{}"


# -- lab control -------------------------------------------------------------------------------------------
@route("/_sesbook/account/review")
def _review_settings(request: Any) -> tuple[int, Any]:
    """GET: how the lab answers production access requests; POST: change it.

    Body (all optional): ``region``, ``outcome`` (``GRANTED`` | ``DENIED`` | ``FAILED``: the next review
    only), ``delay_seconds``, ``granted_max_24_hour_send``, ``granted_max_send_rate``.
    """
    body = json.loads(request.get_data() or b"{}") if request.method == "POST" else dict(request.args)
    region = body.get("region") or current().region
    with account_lock:
        settings = account(ses_backend_for(region)).settings
        if request.method == "POST":
            change_review_settings(settings, body)
        return 200, {"region": region, **settings.__dict__}
