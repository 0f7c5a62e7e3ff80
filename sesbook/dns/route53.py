"""Publish a :class:`~sesbook.dns.records.RecordSet` to Route 53: idempotent, and careful with what is there.

:func:`apply_to_route53` finds the public hosted zone for the domain (or creates it), reads what the
zone holds, and sends one ``ChangeResourceRecordSets`` batch of ``UPSERT`` changes for the record sets
that differ. Run it twice and the second run sends nothing and says so.

What it will not do without ``allow_replace=True`` is replace data it did not put there:

- TXT record sets hold unrelated values side by side (site verifications, other regions' SES tokens),
  so the wanted value is *added* and the others kept; only a second SPF record (``v=spf1``) or DMARC
  record (``v=DMARC1``) at the same name counts as a conflict, since two of them break both. A record
  marked ``exclusive`` (a DKIM public key at ``SELECTOR._domainkey``: a verifier reads one key there)
  replaces what its name holds for its type, so publishing a new key never leaves the old one beside it;
- an MX, CNAME or other record set with different values is a conflict (e.g. the domain's MX already
  points at another mail service, or a MAIL FROM name already has an MX);
- a CNAME cannot live beside other data, nor other data beside a CNAME.

On a conflict nothing is sent and :class:`~sesbook.errors.ValidationError` lists every one of them.
Against AWS with ``apply=False`` nothing is sent either: the result holds the planned change batch. A
plan-only run works from what it planned: a zone it would create counts as there (its records are
planned against it), earlier planned record changes count as made (a second call plans nothing new),
and placeholder values (tokens of an identity that is only planned) are allowed, with a note.

IAM: ``route53:ListHostedZonesByName``, ``route53:ListResourceRecordSets``,
``route53:ChangeResourceRecordSets``, and ``route53:CreateHostedZone`` when the zone does not exist.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.dns.records import Record, from_rdata, to_rdata
from sesbook.errors import ValidationError
from sesbook.plan import was_planned

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sesbook.dns.records import RecordSet
    from sesbook.target import Target

log = logging.getLogger("sesbook")

#: The zone id a plan uses for a hosted zone it would create: no such zone exists yet.
PLANNED_ZONE_ID = "planned-zone"


@dataclass(frozen=True)
class RRsetChange:
    """One record set: what the zone had (``before``), what it gets (``after``) and what happens."""

    name: str
    type: str
    action: str  # "UPSERT" | "unchanged" | "conflict"
    before: tuple[str, ...]
    after: tuple[str, ...]
    detail: str = ""


@dataclass(frozen=True)
class ApplyResult:
    """What :func:`apply_to_route53` did: the zone, each record set's fate, and the batch it sent (or planned)."""

    domain: str
    zone_id: str | None
    zone_created: bool
    changes: tuple[RRsetChange, ...]
    change_batch: dict[str, Any] | None
    planned: bool = False
    change_status: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def changed(self) -> bool:
        return bool(self.change_batch) and not self.planned

    @property
    def updated(self) -> list[RRsetChange]:
        return [c for c in self.changes if c.action == "UPSERT"]

    @property
    def unchanged(self) -> list[RRsetChange]:
        return [c for c in self.changes if c.action == "unchanged"]

    @property
    def summary(self) -> str:
        zone = f"zone {self.zone_id}" + (" (created)" if self.zone_created else "") if self.zone_id else "a new zone"
        if not self.updated:
            return f"nothing to change: all {len(self.changes)} record sets in {zone} are already as wanted"
        verb = "would change (planned, not sent: apply=False)" if self.planned else "changed"
        return f"{verb} {len(self.updated)} of {len(self.changes)} record sets in {zone}"

    def __repr__(self) -> str:
        rows = [(c.action, c.type, c.name, " | ".join(c.before) or "-", " | ".join(c.after), c.detail)
                for c in self.changes]
        notes = "".join(f"\nnote: {n}" for n in self.notes)
        table = _html.text_table(["action", "type", "name", "before", "after", "detail"], rows)
        return f"{self.summary}\n{table}{notes}"

    def _repr_html_(self) -> str:
        rows = [(c.action, c.type, c.name, " | ".join(c.before) or None, " | ".join(c.after), c.detail)
                for c in self.changes]
        notes = "".join(f"<p>note: {html.escape(n)}</p>" for n in self.notes) if self.notes else ""
        return _html.table(["action", "type", "name", "before", "after", "detail"], rows, caption=self.summary) + notes


def _abs(name: str) -> str:
    return name.replace("\\052", "*").rstrip(".").lower()


def find_zone(target: Target, domain: str) -> dict[str, Any] | None:
    """The public hosted zone whose name is ``domain`` or its closest parent; None when there is none.

    Raises :class:`ValidationError` when two public zones have that name (pass ``zone_id``).
    """
    labels = domain.split(".")
    for i in range(len(labels) - 1):
        name = ".".join(labels[i:])
        with aws_errors("route53"):
            resp = target.route53.list_hosted_zones_by_name(DNSName=name, MaxItems="10")
        found = [z for z in resp.get("HostedZones", [])
                 if _abs(z["Name"]) == name and not z.get("Config", {}).get("PrivateZone")]
        if len(found) > 1:
            ids = ", ".join(z["Id"].rsplit("/", 1)[-1] for z in found)
            raise ValidationError("zone_id", None,
                                  f"is needed: {len(found)} public hosted zones are named {name} ({ids}).",
                                  hint="Pass zone_id= with the one your registrar delegates to.")
        if found:
            return found[0]
    return None


def _zone_rrsets(target: Target, zone_id: str) -> dict[tuple[str, str], tuple[int, list[str]]]:
    out: dict[tuple[str, str], tuple[int, list[str]]] = {}
    kwargs: dict[str, Any] = {"HostedZoneId": zone_id}
    while True:
        with aws_errors("route53"):
            resp = target.route53.list_resource_record_sets(**kwargs)
        for rrset in resp.get("ResourceRecordSets", []):
            if "AliasTarget" in rrset:
                out[(_abs(rrset["Name"]), rrset["Type"])] = (0, ["ALIAS " + rrset["AliasTarget"]["DNSName"]])
                continue
            values = [v["Value"] for v in rrset.get("ResourceRecords", [])]
            out[(_abs(rrset["Name"]), rrset["Type"])] = (int(rrset.get("TTL", 300)), values)
        if not resp.get("IsTruncated"):
            return out
        kwargs.update(StartRecordName=resp["NextRecordName"], StartRecordType=resp["NextRecordType"])


def _readable(rtype: str, values: Iterable[str]) -> list[str]:
    import dns.exception

    out = []
    for value in values:
        try:
            out.append(from_rdata(rtype, value))
        except (dns.exception.DNSException, ValueError):  # kept as Route 53 shows it when it cannot be parsed
            out.append(value)
    return out


def _kind(value: str) -> str | None:
    low = value.strip().lower()
    if low.startswith("v=spf1"):
        return "SPF"
    if low.replace(" ", "").startswith("v=dmarc1"):
        return "DMARC"
    return None


def _plan(
    name: str, rtype: str, wanted: list[Record], existing: dict[tuple[str, str], tuple[int, list[str]]],
    allow_replace: bool,
) -> RRsetChange:
    ttl = wanted[0].ttl
    want = [r.value for r in wanted]
    have_ttl, have_raw = existing.get((name, rtype), (ttl, []))
    have = _readable(rtype, have_raw)
    others = sorted(t for (n, t) in existing if n == name and t != rtype and t not in ("NS", "SOA"))
    if rtype == "CNAME" and others and not allow_replace:
        return RRsetChange(name, rtype, "conflict", tuple(have), tuple(want),
                           f"{name} already has {', '.join(others)} records; a CNAME cannot share its name")
    if rtype != "CNAME" and "CNAME" in others and not allow_replace:
        return RRsetChange(name, rtype, "conflict", tuple(have), tuple(want),
                           f"{name} is a CNAME; no other record can share its name")
    if any(r.exclusive for r in wanted):
        after = want
        if sorted(after) == sorted(have) and have_ttl == ttl:
            return RRsetChange(name, rtype, "unchanged", tuple(have), tuple(after))
        detail = "new" if not have else "replaces the value (one value per name)"
        return RRsetChange(name, rtype, "UPSERT", tuple(have), tuple(after), detail)
    if rtype == "TXT":
        kinds = {_kind(v) for v in want} - {None}
        clashing = [v for v in have if _kind(v) in kinds and v not in want]
        if clashing and not allow_replace:
            return RRsetChange(name, rtype, "conflict", tuple(have), tuple(want),
                               f"another {'/'.join(sorted(k for k in kinds if k))} record is there; two break both")
        kept = [v for v in have if v not in want and v not in clashing]
        after = kept + want
    else:
        if have and sorted(have) != sorted(want) and not allow_replace:
            return RRsetChange(name, rtype, "conflict", tuple(have), tuple(want),
                               "holds other values sesbook did not write")
        after = want
    if sorted(after) == sorted(have) and have_ttl == ttl:
        return RRsetChange(name, rtype, "unchanged", tuple(have), tuple(after))
    detail = "new" if not have else "replaces other values (allow_replace)" if set(have) - set(after) else "adds values"
    if have and sorted(after) == sorted(have):
        detail = f"TTL {have_ttl} -> {ttl}"
    return RRsetChange(name, rtype, "UPSERT", tuple(have), tuple(after), detail)


def apply_to_route53(
    target: Target,
    records: RecordSet,
    *,
    zone_id: str | None = None,
    allow_replace: bool = False,
) -> ApplyResult:
    """Publish ``records`` in Route 53 (see the module docstring). Returns what changed, or would change.

    ``zone_id`` picks the hosted zone; by default the public zone named like the domain (or a parent)
    is used, and created when there is none. ``allow_replace=True`` replaces conflicting values.
    """
    notes: list[str] = []
    placeholders = records.placeholders
    if placeholders and not target.planning:
        raise ValidationError(
            "records", [r.name for r in placeholders], "holds placeholders, not the tokens SES gave.",
            hint="Build the records with records_for(target, domain) so the real tokens are used.",
        )
    if placeholders:
        notes.append(f"{len(placeholders)} record(s) hold placeholders: the identity is only planned, so its "
                     "tokens are known once it is created (apply=True)")
    domain = records.domain
    created = False
    zone_name = domain
    if zone_id is None:
        zone = find_zone(target, domain) or _planned_zone(target, domain)
        if zone is None:
            with aws_errors("route53"):
                resp = target.route53.create_hosted_zone(
                    Name=domain, CallerReference=f"sesbook-{domain}-{_now_ms()}",
                    HostedZoneConfig={"Comment": "created by sesbook for SES", "PrivateZone": False},
                )
            created = True
            zone = resp.get("HostedZone")
            if zone is None:  # planned, not sent: the record changes below go into the plan too
                zone = {"Id": PLANNED_ZONE_ID, "Name": domain}
                notes.append(f"the hosted zone {domain} would be created first (planned, not sent)")
        zone_id = zone["Id"].rsplit("/", 1)[-1]
        zone_name = _abs(zone["Name"])
    else:
        zone_id = zone_id.rsplit("/", 1)[-1]
        with aws_errors("route53"):
            zone_name = _abs(target.route53.get_hosted_zone(Id=zone_id)["HostedZone"]["Name"])
    outside = [r.name for r in records if r.name != zone_name and not r.name.endswith("." + zone_name)]
    if outside:
        raise ValidationError("records", outside, f"are not inside the hosted zone {zone_name} ({zone_id}).",
                              hint="Pass the zone_id of the zone that holds the domain.")
    existing = {} if zone_id == PLANNED_ZONE_ID else _zone_rrsets(target, zone_id)
    if target.planning:  # what this run already planned for the zone counts as there
        _overlay_planned(target, zone_id, existing)
    plans = [_plan(name, rtype, recs, existing, allow_replace) for (name, rtype), recs in records.rrsets().items()]
    conflicts = [p for p in plans if p.action == "conflict"]
    if conflicts:
        listed = "; ".join(f"{c.type} {c.name}: has {' | '.join(c.before) or c.detail} ({c.detail})" for c in conflicts)
        raise ValidationError(
            "records", [f"{c.type} {c.name}" for c in conflicts],
            f"would replace DNS data sesbook did not write: {listed}. Nothing was changed.",
            hint="Check whether that data is still in use; pass allow_replace=True to replace it.",
        )
    by_key = records.rrsets()
    batch_changes = [
        {"Action": "UPSERT", "ResourceRecordSet": {
            "Name": p.name + ".", "Type": p.type, "TTL": by_key[(p.name, p.type)][0].ttl,
            "ResourceRecords": [{"Value": to_rdata(p.type, v)} for v in p.after]}}
        for p in plans if p.action == "UPSERT"
    ]
    shown_id = None if zone_id == PLANNED_ZONE_ID else zone_id
    if not batch_changes:
        log.info("route53: %s already holds every SES record", zone_id)
        return ApplyResult(domain, shown_id, created, tuple(plans), None, planned=target.planning,
                           notes=tuple(notes))
    batch = {"Comment": f"SES records for {domain} ({records.region}) by sesbook", "Changes": batch_changes}
    with aws_errors("route53"):
        resp = target.route53.change_resource_record_sets(HostedZoneId=zone_id, ChangeBatch=batch)
    planned = was_planned(resp)
    status = None if planned else resp.get("ChangeInfo", {}).get("Status")
    return ApplyResult(domain, shown_id, created, tuple(plans), batch, planned=planned, change_status=status,
                       notes=tuple(notes))


def _planned_zone(target: Target, domain: str) -> dict[str, Any] | None:
    """A hosted zone for ``domain`` (or a parent) that this run planned to create, as ``find_zone`` shows one."""
    if not target.planning:
        return None
    labels = domain.split(".")
    names = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    made = {_abs(str(c.params.get("Name", ""))) for c in target.plan
            if (c.service, c.operation) == ("route53", "CreateHostedZone")}
    name = next((n for n in names if n in made), None)
    return {"Id": PLANNED_ZONE_ID, "Name": name} if name else None


def _overlay_planned(target: Target, zone_id: str, existing: dict[tuple[str, str], tuple[int, list[str]]]) -> None:
    """Apply the record changes ``target.plan`` holds for ``zone_id`` to ``existing``, in order."""
    for call in target.plan:
        if (call.service, call.operation) != ("route53", "ChangeResourceRecordSets"):
            continue
        if str(call.params.get("HostedZoneId", "")).rsplit("/", 1)[-1] != zone_id:
            continue
        for change in (call.params.get("ChangeBatch") or {}).get("Changes", []):
            rrset = change.get("ResourceRecordSet") or {}
            key = (_abs(str(rrset.get("Name", ""))), str(rrset.get("Type", "")))
            if change.get("Action") == "DELETE":
                existing.pop(key, None)
            else:
                existing[key] = (int(rrset.get("TTL", 300)), [v["Value"] for v in rrset.get("ResourceRecords", [])])


def _now_ms() -> int:
    import time

    return int(time.time() * 1000)
