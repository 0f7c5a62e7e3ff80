"""The exceptions sesbook raises, all under one root.

::

    SesbookError                  anything sesbook raises on purpose
    ├── ValidationError           bad input, found before any AWS call (field, value, rule)
    ├── TargetError               cannot reach or set up the target (profile, region, endpoint)
    │   └── LabError              the lab is not running, or could not start or answer
    ├── AwsError                  AWS (or the lab) refused a call (operation, code, request id)
    │   └── SmtpError             SES's SMTP interface refused (reply code and text; retryable for 4xx)
    ├── NotAppliedError           a step needs the result of a change that the plan did not send
    ├── WaitTimeoutError          something did not reach the wanted state in time (also a TimeoutError)
    ├── VerificationFailedError   SES gave up verifying an identity (status FAILED)
    ├── NoMessageError            no message in the lab mailbox matched (also a LookupError)
    ├── FeedbackParseError        a queue message is not an SES notification or event (also a ValueError)
    ├── CheckFailedError          a check_* result was asked to raise and had problems
    └── RunbookError              a notebook of a runbook run failed (notebook, cell, error)

Every message says what was wrong and what to do next. Catch ``SesbookError`` to handle all of them;
``str(error)`` is written for the person running the notebook. Values that enter from outside
(parameters, CLI flags, YAML, environment variables) are checked by ``sesbook._validate`` and refused
with ``ValidationError``; no message holds a secret from a planned call (see ``sesbook.plan``).

Warnings (not errors): ``sesbook.lab.StaleLabStateWarning`` when the lab state file names a lab that
no longer answers.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AwsError",
    "CheckFailedError",
    "FeedbackParseError",
    "LabError",
    "NoMessageError",
    "NotAppliedError",
    "RunbookError",
    "SesbookError",
    "SmtpError",
    "TargetError",
    "ValidationError",
    "VerificationFailedError",
    "WaitTimeoutError",
]


class SesbookError(Exception):
    """The root of every error sesbook raises on purpose."""


class ValidationError(SesbookError, ValueError):
    """An input broke a rule; nothing was sent to AWS.

    ``field`` names the input, ``value`` is what was given, ``rule`` is the rule it broke and ``hint``
    (optional) says what to do instead.
    """

    def __init__(self, field: str, value: Any, rule: str, *, hint: str | None = None) -> None:
        self.field = field
        self.value = value
        self.rule = rule
        self.hint = hint
        message = f"{field}={value!r}: {rule}"
        if hint:
            message += f" {hint}"
        super().__init__(message)


class TargetError(SesbookError):
    """The target (AWS or the lab) cannot be reached or set up."""


class LabError(TargetError):
    """The lab is not running, could not start, or answered something unexpected."""


class AwsError(SesbookError):
    """AWS (or the lab standing in for it) refused a call.

    Keeps ``operation`` (e.g. ``ses.VerifyDomainIdentity``), the error ``code``, the service's
    ``message``, the ``request_id`` and the HTTP ``status``.
    """

    def __init__(
        self,
        operation: str,
        code: str,
        message: str,
        *,
        request_id: str | None = None,
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.operation = operation
        self.code = code
        self.message = message
        self.request_id = request_id
        self.status = status
        self.hint = hint
        text = f"{operation} failed: {code}: {message}"
        if request_id:
            text += f" (request id {request_id})"
        if hint:
            text += f" {hint}"
        super().__init__(text)


class SmtpError(AwsError):
    """SES's SMTP interface (or the lab's stand-in) answered a command with an error reply.

    ``reply_code`` is the SMTP reply code (535, 554, 454 ...), ``reply_text`` SES's words, ``code`` a name
    for the kind of refusal (``AuthenticationFailed``, ``MessageRejected``, ``Throttling`` ...), ``hint`` what
    to do. ``retryable`` is True for 4xx replies: the same message may go through later.
    """

    def __init__(self, reply_code: int, reply_text: str, *, code: str, endpoint: str | None = None,
                 hint: str | None = None) -> None:
        self.reply_code = reply_code
        self.reply_text = reply_text
        self.endpoint = endpoint
        where = f"smtp {endpoint}" if endpoint else "smtp"
        super().__init__(where, code, f"{reply_code} {reply_text}", status=reply_code, hint=hint)

    @property
    def retryable(self) -> bool:
        return 400 <= self.reply_code < 500


class NotAppliedError(SesbookError):
    """A step needs the outcome of a change that was only planned (``apply=False``).

    Re-run with ``apply=True`` to make the change, or read the plan to see what would be sent.
    """


class WaitTimeoutError(SesbookError, TimeoutError):
    """Something did not reach the wanted state before the timeout.

    ``waiting_for`` says what, ``last_state`` what was last seen, ``missing`` what was still lacking.
    """

    def __init__(
        self, waiting_for: str, timeout: float, *, last_state: Any = None, missing: str | None = None
    ) -> None:
        self.waiting_for = waiting_for
        self.timeout = timeout
        self.last_state = last_state
        self.missing = missing
        text = f"gave up waiting for {waiting_for} after {timeout:g} s"
        if last_state is not None:
            text += f"; last state: {last_state}"
        if missing:
            text += f"; still missing: {missing}"
        super().__init__(text)


class VerificationFailedError(SesbookError):
    """SES gave up on an identity (status ``FAILED``): its records were not found in time.

    Publish the records and start again (``verify_domain`` or ``verify_email`` once more).
    """


class NoMessageError(SesbookError, LookupError):
    """No message in the lab mailbox matched (``last_message``, ``follow_verification_link``)."""


class RunbookError(SesbookError):
    """A notebook in a runbook run failed.

    ``notebook`` is its file name, ``cell`` papermill's 0-based index of the failing cell (or None),
    ``execution_count`` and ``source`` the cell as the reader sees it (``In [7]`` and the first line of
    its source), ``ename`` and ``evalue`` the error it raised, ``output`` the page to open.
    """

    def __init__(
        self,
        notebook: str,
        *,
        cell: int | None = None,
        ename: str = "",
        evalue: str = "",
        output: str | None = None,
        execution_count: int | None = None,
        source: str = "",
    ) -> None:
        self.notebook = notebook
        self.cell = cell
        self.ename = ename
        self.evalue = evalue
        self.output = output
        self.execution_count = execution_count
        self.source = source
        text = f"{self.where()} failed: {ename}: {evalue}".rstrip(": ")
        if output:
            text += f" (see {output})"
        super().__init__(text)

    def where(self) -> str:
        """The failing cell as the reader sees it: ``01-x.ipynb, In [7] `send(...)```."""
        if self.execution_count is not None or self.source:
            label = f"In [{self.execution_count if self.execution_count is not None else ' '}]"
            line = self.source if len(self.source) <= 60 else self.source[:59] + "…"
            return f"{self.notebook}, {label}" + (f" `{line}`" if line else "")
        return f"{self.notebook}, cell {self.cell}" if self.cell is not None else self.notebook


class FeedbackParseError(SesbookError, ValueError):
    """A message is not an SES notification or event (nor one wrapped in an SNS envelope).

    ``reason`` says what was missing or wrong; the consumer keeps such messages aside (a dead-letter queue)
    instead of dropping them.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"not an SES notification or event: {reason}")


class CheckFailedError(SesbookError):
    """A ``check_*`` result had problems and was asked to raise (``result.raise_if_not_ok()``).

    ``check`` names the check, ``problems`` holds the sentences, each saying what to do.
    """

    def __init__(self, check: str, heading: str, problems: tuple[str, ...]) -> None:
        self.check = check
        self.problems = problems
        text = heading + "".join(f"\n- {p}" for p in problems)
        super().__init__(text)
