"""``Record``: one DNS record someone has to publish, shared by the modules that make, show and check records."""

from __future__ import annotations

from dataclasses import dataclass

from sesbook import _html

#: The TTL sesbook suggests for records it asks you to publish (the SES console shows 1800 too).
DEFAULT_TTL = 1800


@dataclass(frozen=True)
class Record:
    """A DNS record to publish: owner ``name`` (no trailing dot), ``type``, ``value`` as its text.

    ``value`` is the record's data without DNS quoting: a TXT value is the whole text (however long),
    an MX value is ``"10 host"``. Use :meth:`zone_value` for zone files and Route 53.
    """

    name: str
    type: str
    value: str
    ttl: int = DEFAULT_TTL
    purpose: str = ""
    required: bool = True

    def zone_value(self) -> str:
        """The value in DNS presentation form: TXT split into quoted strings of at most 255 characters."""
        if self.type.upper() not in ("TXT", "SPF"):
            return self.value
        chunks = [self.value[i : i + 255] for i in range(0, len(self.value), 255)] or [""]
        return " ".join('"' + c.replace("\\", "\\\\").replace('"', '\\"') + '"' for c in chunks)

    def __str__(self) -> str:
        return f"{self.name}. {self.ttl} IN {self.type} {self.zone_value()}"


def records_table(records: tuple[Record, ...] | list[Record], *, caption: str | None = None) -> str:
    """An HTML table of records (name, type, value, purpose, required)."""
    rows = [(r.name, r.type, r.value, r.purpose, "required" if r.required else "recommended") for r in records]
    return _html.table(["name", "type", "value", "purpose", "need"], rows, caption=caption)


def records_text(records: tuple[Record, ...] | list[Record]) -> str:
    rows = [(r.name, r.type, _short(r.value), "required" if r.required else "recommended") for r in records]
    return _html.text_table(["name", "type", "value", "need"], rows)


def _short(value: str, limit: int = 72) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"
