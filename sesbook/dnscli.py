"""``python -m sesbook dns records|check DOMAIN``: the DNS records SES needs, printed or checked.

- ``dns records`` prints the records in one of the formats (table, zone, route53, cloudformation,
  json). With ``--target lab`` or ``--target aws`` the tokens are read from SES (the running lab, or
  the account); without, the tokens are placeholders, plainly marked.
- ``dns check`` queries DNS for them and exits 0 only when every required record is right, 1 otherwise
  (printing what is wrong), 2 on bad input.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

from sesbook.errors import LabError, ValidationError

if TYPE_CHECKING:
    import argparse

    from sesbook.dns.records import RecordSet
    from sesbook.target import Target


def _target(args: argparse.Namespace) -> Target | None:
    from sesbook.target import validate_settings

    if args.profile and args.target != "aws":
        raise ValidationError("profile", args.profile, "is only used with --target aws.",
                              hint="The lab and the placeholder tables need no credentials; drop --profile "
                              "or add --target aws.")
    if not args.target:
        return None
    import sesbook

    validate_settings(args.target, args.region, args.profile)

    if args.target == "lab":
        from sesbook.lab import ENV_LAB, current, from_state_file

        if current() is None and not os.environ.get(ENV_LAB) and from_state_file() is None:
            raise LabError(
                "no running lab to read tokens from: start one with `python -m sesbook lab` (it writes the "
                "state file this command reads), or drop --target for placeholders."
            )
        return sesbook.connect("lab", region=args.region)
    return sesbook.connect("aws", region=args.region, profile=args.profile, apply=False)


def _records(args: argparse.Namespace, target: Target | None) -> RecordSet:
    from sesbook.dns.ses_records import required_records
    from sesbook.identities.records import records_for

    if target is not None:
        return records_for(target, args.domain, mail_from=args.mail_from, receive=not args.no_receive)
    return required_records(
        args.domain, region=args.region, mail_from=args.mail_from, receive=not args.no_receive,
        verification_token=getattr(args, "verification_token", None),
        dkim_tokens=tuple(getattr(args, "dkim_token", None) or ()),
    )


def cmd_records(args: argparse.Namespace) -> int:
    records = _records(args, _target(args))
    print(records.render(args.format))
    _placeholder_note(args, len(records.placeholders))
    return 0


def _placeholder_note(args: argparse.Namespace, count: int) -> None:
    if not count:
        return
    if getattr(args, "target", None):
        print(f"note: {count} placeholder value(s): SES has no such token for this identity yet (for DKIM, "
              "verify the domain the v2 way or run verify_domain(..., dkim=True)).", file=sys.stderr)
    else:
        print(f"note: {count} placeholder value(s); use --target lab|aws to read the real tokens from SES, "
              "or pass them (--verification-token, --dkim-token x3).", file=sys.stderr)


def cmd_check(args: argparse.Namespace) -> int:
    from sesbook._validate import parse_seconds
    from sesbook.dns.check import check_records

    timeout = parse_seconds("--timeout", args.timeout)  # "nan" would be a float to argparse, and hang
    target = _target(args)
    records = _records(args, target)
    resolver: Any = args.nameserver or target
    result = check_records(records, resolver=resolver, timeout=timeout)
    print(repr(result))
    for problem in result.problems:
        print(f"problem: {problem}")
    for warning in result.warnings:
        print(f"warning: {warning}")
    _placeholder_note(args, len(result.by_status("skipped")))
    return 0 if result.ok else 1


def register(sub: Any) -> None:
    dns = sub.add_parser("dns", help="the DNS records SES needs: print them or check them",
                         description="The DNS records SES needs for a domain (verification, Easy DKIM, "
                                     "custom MAIL FROM, inbound MX, SPF, DMARC): print them or check them.")
    dns_sub = dns.add_subparsers(dest="dns_command", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("domain", help="the domain, e.g. example.com (internationalised names are converted)")
        p.add_argument("--region", default="us-east-1", help="the SES region (default us-east-1)")
        p.add_argument("--mail-from", default=None, metavar="SUB",
                       help="custom MAIL FROM subdomain, e.g. mail (default: as configured in SES, or none)")
        p.add_argument("--no-receive", action="store_true", help="leave out the inbound MX (send only)")
        p.add_argument("--target", choices=("lab", "aws"), default=None,
                       help="read the tokens from the running lab or from AWS (default: placeholders)")
        p.add_argument("--profile", default=None, help="AWS profile for --target aws")

    records = dns_sub.add_parser("records", help="print the records (table, zone file, Route 53, CloudFormation, JSON)",
                                 description="Print the records a domain needs, with the tokens from the "
                                             "lab or AWS (--target) or placeholders.")
    common(records)
    records.add_argument("--format", default="table", choices=("table", "zone", "route53", "cloudformation", "json"),
                         help="table (default, for reading), zone (a BIND zone-file fragment), route53 (a "
                              "ChangeResourceRecordSets change batch), cloudformation (a template), json")
    records.set_defaults(func=cmd_records)

    check = dns_sub.add_parser("check", help="query DNS for the records; exit 0 only when all required ones are right",
                               description="Query DNS for each record the domain needs and say which are "
                                           "right, missing or wrong; exit 0 only when every required one is "
                                           "right.")
    common(check)
    check.add_argument("--nameserver", default=None, metavar="HOST:PORT",
                       help="DNS server to ask (default: the lab's with --target lab, else the system's)")
    check.add_argument("--verification-token", default=None, help="the _amazonses token, without --target")
    check.add_argument("--dkim-token", action="append", default=None, help="an Easy DKIM token (three times)")
    check.add_argument("--timeout", default="5", help="seconds per DNS query (default 5)")
    check.set_defaults(func=cmd_check)
