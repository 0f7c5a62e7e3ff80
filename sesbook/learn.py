"""``python -m sesbook learn``: one lab for every notebook a learner opens, and JupyterLab beside it.

In an account, what notebook 01 verifies is still verified when notebook 02 runs. A kernel that starts a
private lab of its own cannot give that: each would begin empty. ``learn`` starts one lab in its own process
(seeded, announced in the state file and in ``SESBOOK_LAB``), then JupyterLab on loopback with that
announcement in its environment, so every kernel it starts attaches to the same lab
(:func:`sesbook.lab.find_lab`, step 2). The lab outlives any kernel: restart a kernel and the state is still
there. Quitting JupyterLab (or Ctrl-C) stops the lab too.

The lab is seeded with 1, as the committed notebooks are: a notebook run top to bottom in a fresh ``learn``
session shows the same tokens as the committed one (only ports and times differ). Saving it is still a
change to a committed file; ``git checkout notebooks/`` or ``make notebooks`` restores the committed form
(``make test`` says so when nbval finds a saved notebook).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from sesbook.errors import LabError

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence

#: How JupyterLab is started (the notebook folder is appended); tests put another command here.
JUPYTER = (sys.executable, "-m", "jupyter", "lab", "--ServerApp.ip=127.0.0.1", "--no-browser")


def jupyter_command(base: Sequence[str] = JUPYTER, *, uid: int | None = None) -> list[str]:
    """``base``, plus ``--ServerApp.allow_root=True`` when running as root (a container, often): Jupyter
    refuses to start as root without it. It listens on loopback only either way."""
    uid = os.geteuid() if uid is None and hasattr(os, "geteuid") else uid
    return [*base, "--ServerApp.allow_root=True"] if uid == 0 and base == JUPYTER else list(base)


def start_lab_process(*, seed: int = 1, region: str = "us-east-1", env: dict[str, str] | None = None,
                      timeout: float = 60.0) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """``python -m sesbook lab`` in a child process; returns it with its announcement (the JSON line)."""
    proc = subprocess.Popen([sys.executable, "-m", "sesbook", "lab", "--seed", str(seed), "--region", region],
                            stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.wait(timeout=timeout)
        raise LabError(f"the lab did not start (exit code {proc.returncode}); run `python -m sesbook lab` to see why")
    return proc, json.loads(line)


def learn(notebooks: str = "notebooks", *, seed: int = 1, region: str = "us-east-1",
          command: Sequence[str] = JUPYTER) -> int:
    """Start a lab, then ``command`` (JupyterLab) on ``notebooks`` with the lab announced; stop the lab after."""
    lab, info = start_lab_process(seed=seed, region=region)
    env = {**os.environ, "SESBOOK_LAB": json.dumps(info)}
    print(f"lab ready: AWS API {info['aws_endpoint']}, DNS {info['dns']}; every notebook kernel started from "
          "here uses it", file=sys.stderr, flush=True)
    try:
        return subprocess.call([*jupyter_command(command), notebooks], env=env)
    except KeyboardInterrupt:
        return 130
    finally:
        lab.send_signal(signal.SIGTERM)
        try:
            lab.wait(timeout=30)
        except subprocess.TimeoutExpired:
            lab.kill()


def cmd_learn(args: argparse.Namespace) -> int:
    return learn(args.notebooks, seed=args.seed, region=args.region)


def register(subparsers: Any) -> None:
    learn_parser = subparsers.add_parser(
        "learn", help="start one lab and JupyterLab on the notebooks; every kernel shares the lab",
        description="Start one lab (seeded, as the committed notebooks are) and JupyterLab on loopback with the "
                    "lab announced to every kernel, so state flows from notebook to notebook as in an account. "
                    "Quitting JupyterLab stops the lab.",
    )
    learn_parser.add_argument("--notebooks", default="notebooks", help="the folder JupyterLab opens")
    learn_parser.add_argument("--seed", type=int, default=1, help="the lab seed (default 1, as committed)")
    learn_parser.add_argument("--region", default="us-east-1", help="the lab's default region")
    learn_parser.set_defaults(func=cmd_learn)
