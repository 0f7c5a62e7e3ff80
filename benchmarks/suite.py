"""What the offline runbook suite costs over the runner itself; printed, never asserted.

Runs ``python -m sesbook run`` twice, each in a fresh process with its own lab: once over ``notebooks/``
(every notebook, seeded as committed), once over the same number of empty notebooks (a ``parameters`` cell and
nothing else, so papermill, the kernels, the lab and the HTML pages cost the same). Prints one JSON line
per figure: wall time and CPU time (this process's children: the runner, its kernels and its lab) of each,
their ratios (targets: at most 1.3x wall, 1.6x CPU with 8 notebooks and the clean-up), and each notebook's
own seconds from the run's ``summary.json``, slowest first, to show where the time goes.

Run: .venv/bin/python benchmarks/suite.py [--repeat N]   (the median of N pairs; default 1)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parents[1]
WALL_TARGET = 1.3
CPU_TARGET = 1.6


def emit(figure: str, value: float, unit: str, **extra: Any) -> None:
    print(json.dumps({"benchmark": "suite", "figure": figure, "value": round(value, 3), "unit": unit, **extra}),
          flush=True)


def empty_notebooks(folder: Path, like: list[Path]) -> None:
    """One empty notebook per real one, same names, each with only a ``parameters`` cell."""
    for path in like:
        cell = nbformat.v4.new_code_cell('target: str = "lab"  # lab or aws')
        cell.metadata["tags"] = ["parameters"]
        nb = nbformat.v4.new_notebook(cells=[cell])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, str(folder / path.name))


def run_suite(notebooks: Path, runs: Path) -> dict[str, Any]:
    """One ``sesbook run`` over ``notebooks``: wall seconds, CPU seconds of every descendant, per-notebook seconds."""
    env = {**os.environ, "SESBOOK_LAB_STATE": str(runs / "no-lab.json")}  # never join a lab already running
    env.pop("SESBOOK_LAB", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "sesbook", "run", "--notebooks", str(notebooks), "--runs", str(runs),
                           "--seed", "1", "--no-progress"], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"sesbook run over {notebooks} failed ({done.returncode}):\n"
                 f"{done.stdout[-2000:]}{done.stderr[-2000:]}")
    summaries = sorted(runs.glob("*/summary.json"))
    notebooks_seconds = {n["name"]: n["seconds"] for n in json.loads(summaries[-1].read_text())["notebooks"]}
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "notebooks": notebooks_seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="pairs of runs; the median is printed")
    args = parser.parse_args()
    real = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    pairs = []
    with tempfile.TemporaryDirectory(prefix="sesbook-bench-") as tmp:
        empty = Path(tmp) / "empty"
        empty.mkdir()
        empty_notebooks(empty, real)
        for n in range(args.repeat):
            pairs.append((run_suite(ROOT / "notebooks", Path(tmp) / f"runs-real-{n}"),
                          run_suite(empty, Path(tmp) / f"runs-empty-{n}")))
    count = len(real)
    for kind, index in (("suite", 0), ("empty", 1)):
        emit(f"{kind}_wall", statistics.median(p[index]["wall"] for p in pairs), "s", notebooks=count)
        emit(f"{kind}_cpu", statistics.median(p[index]["cpu"] for p in pairs), "s", notebooks=count)
    emit("wall_ratio", statistics.median(p[0]["wall"] / p[1]["wall"] for p in pairs), "x", target=WALL_TARGET)
    emit("cpu_ratio", statistics.median(p[0]["cpu"] / p[1]["cpu"] for p in pairs), "x", target=CPU_TARGET)
    real_seconds = pairs[-1][0]["notebooks"]
    empty_seconds = pairs[-1][1]["notebooks"]
    for name, seconds in sorted(real_seconds.items(), key=lambda kv: -kv[1]):
        emit("notebook_seconds", seconds, "s", notebook=name, empty_notebook_seconds=empty_seconds.get(name))


if __name__ == "__main__":
    main()
