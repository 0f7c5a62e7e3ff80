"""One result type for every ``check_*`` in sesbook.

A check looks at something (a target, an identity, a set of DNS records, an SPF or DMARC record, the
account) and answers with :class:`Finding` s: one statement each, about one *subject*, with a
*severity*, what was *expected*, what was *found* and what to *do*. :class:`CheckResult` is the base of
every check's answer; each check subclasses it to carry its own payload (the identity's status, the SPF
lookup chain …) and gets, for free:

- ``ok``: no finding is a problem;
- ``problems`` and ``warnings``: the sentences of the problem and warning findings, as lists of ``str``
  (what a notebook shows after ``assert result.ok, result.problems``);
- ``passed``: the findings that say something is right;
- one text rendering (``repr``/``str``) and one HTML rendering (``_repr_html_``), the same in every check;
- :meth:`CheckResult.raise_if_not_ok`, which raises :class:`~sesbook.errors.CheckFailedError`.

Severities, in one vocabulary: ``ok`` (checked and right), ``info`` (worth knowing, nothing to do),
``warning`` (works, but may not do what you want), ``problem`` (will not work as it is).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from sesbook import _html

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Self

Severity = Literal["ok", "info", "warning", "problem"]
SEVERITIES: tuple[Severity, ...] = ("ok", "info", "warning", "problem")
_MARK = {"ok": "✅", "info": "ℹ️", "warning": "⚠️", "problem": "❌"}
_WORD = {"ok": "ok", "info": "info", "warning": "WARNING", "problem": "PROBLEM"}


@dataclass(frozen=True)
class Finding:
    """One statement a check makes about one subject.

    ``message`` is the whole sentence a person reads (it is what ``problems``/``warnings`` list);
    ``expected``, ``found`` and ``fix`` are the structured parts, for tables and for code.
    """

    subject: str
    severity: Severity
    message: str
    expected: str | None = None
    found: str | None = None
    fix: str | None = None

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity {self.severity!r}: use one of {', '.join(SEVERITIES)}")

    def __str__(self) -> str:
        return self.message

    @classmethod
    def ok(cls, subject: str, message: str, **parts: str | None) -> Finding:
        return cls(subject, "ok", message, **parts)

    @classmethod
    def info(cls, subject: str, message: str, **parts: str | None) -> Finding:
        return cls(subject, "info", message, **parts)

    @classmethod
    def warning(cls, subject: str, message: str, **parts: str | None) -> Finding:
        return cls(subject, "warning", message, **parts)

    @classmethod
    def problem(cls, subject: str, message: str, **parts: str | None) -> Finding:
        return cls(subject, "problem", message, **parts)


class CheckResult:
    """The base of every check's answer. Subclasses keep their findings in a dataclass field ``items``
    (what :attr:`findings` returns), or override :attr:`findings` when they derive them from their payload,
    and may add a payload; they may set :attr:`title` and override :meth:`heading` and
    :meth:`payload_html` / :meth:`payload_text` to show the payload beside the findings."""

    #: The name shown in renderings, e.g. ``"check_identity"``.
    title: str = "check"
    #: Whether renderings list the findings that passed; a check whose payload already shows every item
    #: (a table of records, say) sets it False so nothing is shown twice.
    show_passed: bool = True

    #: The findings as the check made them; declared by each subclass as a dataclass field.
    items: tuple[Finding, ...]

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.items

    # -- verdict -----------------------------------------------------------------------------------------
    def of(self, *severities: Severity) -> list[Finding]:
        """The findings of the given severities, in order."""
        return [f for f in self.findings if f.severity in severities]

    @property
    def ok(self) -> bool:
        return not self.of("problem")

    @property
    def problems(self) -> list[str]:
        return [f.message for f in self.of("problem")]

    @property
    def warnings(self) -> list[str]:
        return [f.message for f in self.of("warning")]

    @property
    def passed(self) -> list[Finding]:
        return self.of("ok")

    def raise_if_not_ok(self) -> Self:
        """Raise :class:`~sesbook.errors.CheckFailedError` listing the problems; return ``self`` when ok."""
        if not self.ok:
            from sesbook.errors import CheckFailedError

            raise CheckFailedError(self.title, self.heading(), tuple(self.problems))
        return self

    # -- renderings -----------------------------------------------------------------------------------------
    def heading(self) -> str:
        """One line: what was checked and the verdict."""
        return f"{self.title}: {'ok' if self.ok else 'problems'}"

    def payload_text(self) -> str:
        """Text shown under the findings (a subclass's own data); empty by default."""
        return ""

    def payload_html(self) -> str:
        """HTML shown under the findings table; empty by default."""
        return ""

    def shown(self) -> list[Finding]:
        """The findings the renderings list (all, or all but the passed ones; see :attr:`show_passed`)."""
        return [f for f in self.findings if self.show_passed or f.severity != "ok"]

    def __repr__(self) -> str:
        rows = [(_WORD[f.severity], f.subject, f.message) for f in self.shown()]
        text = self.heading()
        if rows:
            text += "\n" + _html.text_table(["result", "subject", "finding"], rows)
        payload = self.payload_text()
        return text + ("\n" + payload if payload else "")

    def _repr_html_(self) -> str:
        rows: Iterable[tuple[str, str, str]] = [
            (f"{_MARK[f.severity]} {f.severity}", f.subject, f.message) for f in self.shown()
        ]
        caption = f"{'✅' if self.ok else '❌'} {self.heading()}"
        if not rows:
            return f"<p><strong>{_html.cell(caption)}</strong></p>" + self.payload_html()
        return _html.table(["result", "subject", "finding"], rows, caption=caption) + self.payload_html()
