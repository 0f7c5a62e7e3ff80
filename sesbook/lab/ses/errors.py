"""Every SES error the lab raises, in one place, with the code SES answers on each API.

moto serializes these for the API the request came in on (v1 query XML, v2 REST JSON):

- :class:`WireError` carries any code (``WireError(code, message)``): the send rules' codes differ by API;
- :class:`BadRequestException`, :class:`ConflictException`, :class:`AlreadyExistsException` (SESv2);
- :class:`MailFromDomainNotVerified`, :class:`LimitExceeded` (SES v1; moto's own v1 errors, such as
  ``InvalidParameterValue``, ``AlreadyExists`` and ``NotFoundException``, come from ``moto.ses.exceptions``).

:class:`SendRefused` is not a wire error: it is what the sending rules decide (``kind`` says which rule),
turned into the wire error for the API the message came in on by :func:`send_refused_error`, so an SMTP
front end can map ``kind`` to its own replies instead.

Send-rule codes (SES Developer Guide, "quota errors"): SES v1 answers ``Throttling`` for the daily quota
and the rate (the wire code seen from the v1 API; botocore's model does not list it); SESv2 answers
``TooManyRequestsException`` (HTTP 429), the throttling error its SendEmail model declares.
"""

from __future__ import annotations

import warnings

from moto.core.exceptions import ServiceException
from moto.ses.exceptions import SesError

# "Throttling" is a real SES v1 error code that botocore's model does not list; moto warns about it per send.
warnings.filterwarnings("ignore", message=r"Exception\(WireError\) with code Throttling", category=UserWarning)

#: Wire code per API and rule: ``CODES[api][kind]``. SMTP submissions use the v1 codes.
CODES = {
    "v1": {"paused": "AccountSendingPausedException", "unverified": "MessageRejected",
           "quota": "Throttling", "rate": "Throttling"},
    "v2": {"paused": "SendingPausedException", "unverified": "MessageRejected",
           "quota": "TooManyRequestsException", "rate": "TooManyRequestsException"},
}
CODES["smtp"] = CODES["v1"]


class WireError(ServiceException):
    """An SES error with any code; defined here (not in moto.core) so moto serializes it for the calling API."""


class BadRequestException(ServiceException):
    code = "BadRequestException"


class ConflictException(ServiceException):
    code = "ConflictException"


class AlreadyExistsException(ServiceException):
    code = "AlreadyExistsException"


class MailFromDomainNotVerified(SesError):
    code = "MailFromDomainNotVerifiedException"


class LimitExceeded(SesError):
    code = "LimitExceeded"


class SendRefused(Exception):
    """A send broke an account rule. ``kind``: ``paused`` | ``unverified`` | ``quota`` | ``rate``."""

    def __init__(self, kind: str, message: str, *, failed: tuple[str, ...] = (),
                 per_api: dict[str, str] | None = None) -> None:
        self.kind = kind
        self.message = message
        self.per_api = per_api or {}  # the message per API where SES words it differently
        self.failed = failed
        super().__init__(message)


def send_refused_error(refused: SendRefused, api: str) -> WireError:
    """The wire error SES answers for ``refused`` on ``api`` (``v1``, ``v2`` or ``smtp``)."""
    error = WireError(CODES[api][refused.kind], refused.per_api.get(api, refused.message))
    error.kind = refused.kind  # type: ignore[attr-defined]
    return error
