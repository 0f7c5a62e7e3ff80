"""``python -m sesbook``: the lab, the runbook runner and the notebook tools, from a terminal.

Errors from sesbook are printed as one message on stderr (exit 2); no tracebacks.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sesbook.errors import SesbookError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

log = logging.getLogger("sesbook")


def _parse_value(text: str) -> Any:
    """A ``-p`` value: YAML scalars (``1``, ``true``, ``null``) become Python values; the rest stays text."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


# -- lab ----------------------------------------------------------------------------------------------
def cmd_lab(args: argparse.Namespace) -> int:
    from sesbook.lab import remove_state_file, state_file, write_state_file
    from sesbook.lab.runtime import Lab
    from sesbook.target import validate_settings

    validate_settings("lab", args.region, None)  # before anything starts: `--region mars` is refused here
    if args.mailbox_limit is not None and args.mailbox_limit < 1:
        raise ValidationError("--mailbox-limit", args.mailbox_limit, "must be 1 or more.",
                              hint="Give how many messages the lab mailbox keeps, e.g. --mailbox-limit 5000.")
    lab = Lab(region=args.region, seed=args.seed, mailbox_limit=args.mailbox_limit)
    info = lab.start()
    wrote_state, note = (False, None) if args.no_state_file else write_state_file(info)
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    print(info.to_json(), flush=True)
    if note:
        print(f"note: {note}", file=sys.stderr, flush=True)
    where = f"announced in {state_file()}" if wrote_state else "not in the state file"
    smtp = f", SMTP interface {info.smtp}" if info.smtp else ""
    print(f"lab ready: AWS API {info.aws_endpoint}, DNS {info.dns}{smtp}, {where}; Ctrl-C stops it",
          file=sys.stderr, flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        lab.stop()
        if wrote_state:
            remove_state_file(info)  # only if the file still announces this lab
    return 0


# -- run ----------------------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace) -> int:
    from sesbook.runbook import load_parameters, run_sequence

    params = load_parameters(args.file, [(k, _parse_value(v)) for k, v in args.param])
    if args.target:
        params["target"] = args.target
    result = run_sequence(
        parameters=params,
        notebooks_dir=Path(args.notebooks),
        only=args.only,
        runs_dir=Path(args.runs),
        seed=args.seed,
        progress=not args.no_progress,
    )
    print(f"{result.summary_line()}\n{result.lab_line()}\nsummary: {result.index_html}")
    if not result.ok:
        failed = result.first_failure
        assert failed is not None
        print(f"FAILED: {failed.describe()}", file=sys.stderr)
        return 1
    return 0


def cmd_notebooks(args: argparse.Namespace) -> int:
    from sesbook.runbook import check_notebook_file, execute_in_place, notebook_paths

    paths = [Path(p) for p in args.paths] or notebook_paths(Path(args.notebooks))
    for path in paths:  # all of them before executing any
        check_notebook_file(path)
    for path in paths:
        print(f"executing {path} ...", flush=True)
        execute_in_place(path, seed=args.seed)
    return 0


def cmd_tidy(args: argparse.Namespace) -> int:
    from sesbook.authoring import tidy

    for change in tidy():
        print(change)
    return 0


def cmd_pictures(args: argparse.Namespace) -> int:
    from sesbook.authoring import draw_pictures, tidy

    for change in [*draw_pictures(every=args.all), *tidy(render=False)]:
        print(change)
    return 0


# -- the parser -----------------------------------------------------------------------------------------
#: What ``--help`` says sesbook is (plain text: argparse prints it as it is).
DESCRIPTION = ("Amazon SES from a terminal: start the offline lab, run the notebooks as a runbook, "
               "execute them for committing, and print or check the DNS records SES needs.")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sesbook")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"


def build_parser(prog: str = "sesbook") -> argparse.ArgumentParser:
    """The command line; ``prog`` is how the user called it (``sesbook`` or ``python -m sesbook``)."""
    parser = argparse.ArgumentParser(prog=prog, description=DESCRIPTION)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}",
                        help="show the installed sesbook version and exit")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what sesbook does (stderr)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    lab = sub.add_parser(
        "lab", help="run a lab in the foreground and announce it (one line of JSON)",
        description="Start the offline lab (the SES API, DNS and a mailbox on loopback) in the foreground. "
                    "It prints one line of JSON naming its endpoints and writes the state file that "
                    "notebooks, runs and other commands use to find it. Ctrl-C stops it.",
    )
    lab.add_argument("--seed", type=int, default=None, help="seed every id and token, so runs repeat")
    lab.add_argument("--region", default="us-east-1", help="the lab's default region")
    lab.add_argument("--mailbox-limit", type=int, default=None, metavar="N",
                     help="keep at most N messages in the lab mailbox, oldest dropped first "
                          "(default 1000, or $SESBOOK_LAB_MAILBOX_LIMIT)")
    lab.add_argument("--no-state-file", action="store_true", help="do not write the state file clients read")
    lab.set_defaults(func=cmd_lab)
    lab.add_subparsers(dest="lab_command")  # `lab mail` and friends register here

    run = sub.add_parser(
        "run", help="run the notebooks in order with papermill into runs/<time>/",
        description="Run notebooks/NN-*.ipynb in order with papermill, against one lab (the running one, "
                    "or one started for the run) or against AWS with --target aws. Each executed notebook, "
                    "its HTML page and an index.html report go to runs/<time>/; the run stops at the first "
                    "failing notebook. Parameters: see params.example.yaml.",
    )
    run.add_argument("--target", choices=("lab", "aws"), default=None, help="lab (default) or aws")
    run.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                     help="a notebook parameter (YAML scalar), repeatable")
    run.add_argument("-f", "--file", default=None, help="a YAML file of parameters")
    run.add_argument("--only", nargs="+", default=None, metavar="NN", help="run only these notebooks (by number)")
    run.add_argument("--seed", type=int, default=None, help="seed the run's lab")
    run.add_argument("--notebooks", default="notebooks", help="folder of NN-*.ipynb notebooks")
    run.add_argument("--runs", default="runs", help="where runs/<time>/ folders go")
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.set_defaults(func=cmd_run)

    nbs = sub.add_parser(
        "notebooks", help="execute notebooks in place against a seeded lab (for committing)",
        description="Execute each notebook alone, in place, against a fresh lab seeded with --seed, and "
                    "strip papermill's run metadata: the outputs that get committed and that the nbval "
                    "tests compare with.",
    )
    nbs.add_argument("paths", nargs="*", help="notebooks to execute (default: all)")
    nbs.add_argument("--seed", type=int, default=1, help="the lab seed (default 1, as nbval uses)")
    nbs.add_argument("--notebooks", default="notebooks", help="folder of NN-*.ipynb notebooks")
    nbs.set_defaults(func=cmd_notebooks)

    tidy = sub.add_parser(
        "tidy", help="regenerate what is derived from the notebooks (params.example.yaml, links, pictures)",
        description="Regenerate params.example.yaml from the notebooks' parameters cells, each notebook's "
                    "Next links from the notebook list, and the pictures attached to the notebooks from the "
                    "rendered files in img/. Outputs are not touched: nothing is executed.",
    )
    tidy.set_defaults(func=cmd_tidy)

    pictures = sub.add_parser(
        "pictures", help="re-draw img/*.png from their img/*.py sources and attach them to the notebooks",
        description="Run the scripts in img/ whose pictures are missing or were drawn from older sources (each "
                    "PNG carries the digest of its sources), or every script with --all, then attach the "
                    "pictures to the notebooks as tidy does. The Japanese labels need a CJK font "
                    "(Debian: fonts-noto-cjk).",
    )
    pictures.add_argument("--all", action="store_true", help="re-draw every picture, current or not")
    pictures.set_defaults(func=cmd_pictures)

    for register in COMMANDS:
        register(sub)
    return parser


#: Functions that add more subcommands: ``register(subparsers)``.
COMMANDS: list[Callable[[Any], None]] = []


def _register_lab_mail(subparsers: Any) -> None:
    from sesbook.mailbox import register

    register(subparsers)


COMMANDS.append(_register_lab_mail)


def main(argv: Sequence[str] | None = None, *, prog: str = "sesbook") -> int:
    parser = build_parser(prog)
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if getattr(args, "lab_command", None) and hasattr(args, "lab_func"):
        args.func = args.lab_func
    try:
        return int(args.func(args) or 0)
    except SesbookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _register_builtin() -> None:
    from sesbook.dnscli import register as register_dns
    from sesbook.learn import register as register_learn

    COMMANDS.append(register_dns)
    COMMANDS.append(register_learn)


_register_builtin()
