"""The state file: two `python -m sesbook lab` processes sharing one, and a stale one left by kill -9."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]


class LabProcess:
    def __init__(self, state: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k != "SESBOOK_LAB"}
        env["SESBOOK_LAB_STATE"] = str(state)
        self.proc = subprocess.Popen([sys.executable, "-m", "sesbook", "lab", "--seed", "1"], cwd=ROOT, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stderr is not None
        line = self.proc.stdout.readline()
        assert line, self.proc.stderr.read()
        self.info = json.loads(line)
        self.ready = ""
        while "lab ready" not in self.ready:  # the notes come before "lab ready"
            self.ready += self.proc.stderr.readline()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.communicate(timeout=30)


@pytest.fixture
def labs() -> Iterator[list[LabProcess]]:
    started: list[LabProcess] = []
    yield started
    for lab in started:
        lab.stop()


def _announced(state: Path) -> dict[str, object] | None:
    return json.loads(state.read_text()) if state.exists() else None


def test_two_labs_share_a_state_file_without_deleting_each_others(tmp_path: Path, labs: list[LabProcess]) -> None:
    state = tmp_path / "lab.json"
    first = LabProcess(state)
    labs.append(first)
    assert _announced(state) == first.info
    second = LabProcess(state)
    labs.append(second)
    assert "already announces a running lab" in second.ready and str(state) in second.ready
    assert _announced(state) == first.info, "the second lab leaves the first one's announcement alone"
    second.stop()
    assert _announced(state) == first.info, "stopping the second lab keeps the first one announced"
    first.stop()
    assert not state.exists(), "the lab that wrote the file removes it"


def test_a_stale_state_file_is_reported_and_replaced(tmp_path: Path, labs: list[LabProcess]) -> None:
    state = tmp_path / "lab.json"
    dead = {"aws_endpoint": "http://127.0.0.1:9", "dns": "127.0.0.1:9", "region": "us-east-1",
            "account_id": "123456789012", "seed": 1, "pid": 2**22 + 7}
    state.write_text(json.dumps(dead))
    env = {k: v for k, v in os.environ.items() if k not in ("SESBOOK_LAB", "SESBOOK_LAB_SEED")}
    env["SESBOOK_LAB_STATE"] = str(state)
    code = "import sesbook\nprint(sesbook.connect('lab').lab.aws_endpoint)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "stale lab state file" in out.stderr and str(state) in out.stderr and "python -m sesbook lab" in out.stderr
    assert out.stdout.strip() != dead["aws_endpoint"]

    lab = LabProcess(state)
    labs.append(lab)
    assert "replaced the stale state file" in lab.ready and str(state) in lab.ready
    assert _announced(state) == lab.info
    lab.stop()
    assert not state.exists()
