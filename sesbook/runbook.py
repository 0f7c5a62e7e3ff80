"""Running the notebooks as a runbook with papermill, and executing them in place for committing.

:func:`run_sequence` runs ``notebooks/NN-*.ipynb`` in order against one lab (the kernels find it
through ``SESBOOK_LAB``): the lab already running and announced (in this process, by ``SESBOOK_LAB`` or
by a live state file, as :func:`sesbook.lab.find_lab` finds it), otherwise one started for the run. It
writes each executed notebook and its HTML rendering to ``runs/<time>/`` with an ``index.html`` summary
that names the lab used, and stops at the first failing notebook.

:func:`execute_in_place` runs one notebook alone against a fresh, seeded private lab (exactly what
nbval does when it re-runs it) and strips papermill's run metadata and timings, so the committed
outputs compare equal under ``pytest --nbval``.
"""

from __future__ import annotations

import logging
import math
import os
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sesbook._validate import check_timing, parse_bool, parse_seconds, parse_whole_number
from sesbook.errors import RunbookError, ValidationError
from sesbook.report import NotebookResult, RunResult, coalesce_streams, failing_cell, render_html, write_index

if TYPE_CHECKING:
    from collections.abc import Iterable

log = logging.getLogger("sesbook")

KERNEL = "python3"


def notebook_paths(notebooks_dir: Path, only: Iterable[str] | None = None) -> list[Path]:
    """The runbook's notebooks in order; ``only`` picks some by their number (``01``, ``2``)."""
    paths = sorted(notebooks_dir.glob("[0-9][0-9]-*.ipynb"))
    if not paths:
        raise ValidationError("notebooks", str(notebooks_dir), "holds no NN-*.ipynb notebooks.",
                              hint="Run from the project's root or pass --notebooks.")
    if only:
        wanted = set()
        for item in only:
            number = parse_whole_number("only", str(item), hint="Give notebook numbers such as 01 or 2.")
            wanted.add(f"{number:02d}")
        known = {p.name[:2] for p in paths}
        missing = sorted(wanted - known)
        if missing:
            raise ValidationError("only", missing, f"names no notebook; there are {', '.join(sorted(known))}.")
        paths = [p for p in paths if p.name[:2] in wanted]
    return paths


def load_parameters(file: str | None, pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Parameters from a YAML file, then ``-p`` pairs on top."""
    params: dict[str, Any] = {}
    if file:
        import yaml

        try:
            loaded = yaml.safe_load(Path(file).read_text())
        except OSError as exc:
            raise ValidationError("file", file, f"cannot be read: {exc.strerror}.") from exc
        except yaml.YAMLError as exc:
            raise ValidationError("file", file, f"is not valid YAML: {exc}.") from exc
        if loaded is not None and not isinstance(loaded, dict):
            raise ValidationError("file", file, "must hold a mapping of parameter names to values.")
        params.update(loaded or {})
    params.update(dict(pairs))
    return params


def declared_parameters(path: Path) -> dict[str, dict[str, Any]]:
    """The parameters a notebook declares in its ``parameters`` cell (papermill's reading)."""
    import papermill

    return dict(papermill.inspect_notebook(str(path)))


#: Notebook parameters that hold an email address (checked and normalised like ``verify_email`` does).
ADDRESS_PARAMETERS = ("address", "outside_recipient")


def _check_parameters(params: dict[str, Any]) -> dict[str, Any]:
    """The run's parameters checked where they enter, as ``connect()`` and the helpers would check them:
    target, region and profile together (a profile with the lab is refused), the domain in punycode
    (A-labels), addresses with their domain in punycode. Nothing starts when one is wrong."""
    from sesbook.dns.domains import normalize_domain
    from sesbook.identities._names import normalize_address
    from sesbook.target import validate_settings

    validate_settings(params.get("target", "lab"), params.get("region", "us-east-1"), params.get("profile") or None)
    if "domain" in params:
        params["domain"] = normalize_domain(params["domain"])
    for name in ADDRESS_PARAMETERS:
        if name in params:
            params[name] = normalize_address(params[name], field=name)
    return params


def _split_parameters(paths: list[Path], params: dict[str, Any]) -> dict[Path, dict[str, Any]]:
    declared = {p: declared_parameters(p) for p in paths}
    everything = set().union(*(set(d) for d in declared.values()))
    unknown = sorted(set(params) - everything)
    if unknown:
        raise ValidationError(
            "parameters", unknown, "are declared by none of the notebooks run.",
            hint=f"Known parameters: {', '.join(sorted(everything))}.",
        )
    return {p: {k: _coerce(k, v, declared[p][k]) for k, v in params.items() if k in declared[p]} for p in paths}


def _coerce(name: str, value: Any, declared: dict[str, Any]) -> Any:
    """A parameter's value as the type the notebook declares (``name: bool = ...``), parsed, never cast.

    ``-p`` values and YAML files can hand over text where a bool or a number is meant (``"false"``,
    ``1e3``, which YAML reads as a string): ``bool("false")`` would be True, so bools are parsed from
    their usual spellings, numbers from numeric text, and timeouts/intervals checked to be finite and
    above 0. Anything else is refused with :class:`ValidationError` naming the parameter.
    """
    kind = str(declared.get("inferred_type_name") or "")
    if kind == "bool":
        return parse_bool(name, value)
    if name.endswith(("timeout", "interval")) and kind in ("float", "int", "float | None", "int | None"):
        return None if value is None and "None" in kind else parse_seconds(name, value)
    if kind in ("float", "int") and isinstance(value, str):
        return _number(name, value, kind)
    return value


def _number(name: str, value: str, kind: str) -> float | int:
    text = value.strip()
    if kind == "int":
        sign = -1 if text.startswith("-") else 1
        return sign * parse_whole_number(name, text.removeprefix("-").removeprefix("+"))
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise ValidationError(name, value, "is not a finite number.", hint=f"The notebook declares {name}: float.")
    return number


@contextmanager
def _environment(**values: str | None):  # type: ignore[no-untyped-def]
    saved = {k: os.environ.get(k) for k in values}
    try:
        for key, value in values.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def kernel_config() -> Any:
    """The traitlets config every kernel the runner starts gets: CurveZMQ transport encryption, which
    the kernel spec of ipykernel declares it supports (``metadata.supported_encryption``), so the kernel
    no longer logs "Kernel is running over TCP without encryption" (jupyter_client 8.10,
    ``KernelManager.transport_encryption``). "auto": a kernel spec without the support still starts."""
    from traitlets.config import Config

    return Config({"KernelManager": {"transport_encryption": "auto"}})


#: What a kernel that does not start raises out of papermill: the ports it was given are taken
#: (``zmq.ZMQError: Address already in use``), it died before replying, or it did not answer in time.
def _kernel_start_errors() -> tuple[type[BaseException], ...]:
    import zmq
    from nbclient.exceptions import DeadKernelError

    return (zmq.ZMQError, DeadKernelError, RuntimeError, TimeoutError)


def _ran_no_cell(output: Path) -> bool:
    """True if the notebook papermill wrote shows no executed cell (so running it again repeats nothing)."""
    import nbformat

    try:
        nb = nbformat.read(str(output), as_version=4)
    except (OSError, ValueError):
        return True
    return all(c.get("execution_count") is None for c in nb.cells if c.get("cell_type") == "code")


def _execute(path: Path, output: Path, parameters: dict[str, Any], entry: NotebookResult) -> None:
    """Run one notebook of a run into ``output`` and record how it went in ``entry``.

    A kernel that fails to start is tried once more (only if no cell ran); a second failure is
    reported like a failing notebook, naming the error, so the run still writes its report.
    """
    import papermill

    for attempt in (1, 2):
        try:
            papermill.execute_notebook(
                str(path), str(output), parameters=parameters, kernel_name=KERNEL,
                cwd=str(path.parent), progress_bar=False, log_output=False, config=kernel_config(),
            )
            return
        except papermill.PapermillExecutionError as exc:
            entry.status, entry.cell = "failed", exc.cell_index
            entry.ename, entry.evalue = exc.ename, exc.evalue
            entry.execution_count = exc.exec_count
            return
        except _kernel_start_errors() as exc:
            not_started = _ran_no_cell(output)
            if attempt == 1 and not_started:
                log.warning("%s: the kernel did not start (%s: %s); trying once more",
                            path.name, type(exc).__name__, exc)
                continue
            entry.status, entry.ename = "failed", type(exc).__name__
            entry.evalue = str(exc) + (f" (the kernel did not start, {attempt} tries)" if not_started else "")
            return


def _defaults(paths: list[Path]) -> dict[str, Any]:
    """The values the notebooks declare for the run's settings (target, region, apply)."""
    import ast

    found: dict[str, Any] = {}
    for path in paths:
        for name, spec in declared_parameters(path).items():
            if name in ("target", "region", "apply") and name not in found:
                try:
                    found[name] = ast.literal_eval(str(spec.get("default")))
                except (ValueError, SyntaxError):
                    found[name] = spec.get("default")
    return found


def run_sequence(
    *,
    parameters: dict[str, Any] | None = None,
    notebooks_dir: Path = Path("notebooks"),
    only: Iterable[str] | None = None,
    runs_dir: Path = Path("runs"),
    seed: int | None = None,
    progress: bool = True,
) -> RunResult:
    """Run the notebooks in order; see the module docstring. Never raises for a failing notebook:
    the result says which failed (``RunResult.first_failure``), and ``index.html`` is always written."""
    from tqdm.auto import tqdm

    params = _check_parameters(dict(parameters or {}))
    target = params.get("target", "lab")
    paths = notebook_paths(notebooks_dir, only)
    per_notebook = _split_parameters(paths, params)
    for given in per_notebook.values():
        params.update(given)  # as parsed: the run's record shows apply=False, not "false"
    found = None
    if target == "lab":
        from sesbook.lab import find_lab

        found = find_lab()  # an announced lab (SESBOOK_LAB, the state file) is the operator's choice
    started = datetime.now(UTC)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    folder = runs_dir / stamp
    n = 1
    while folder.exists():
        n += 1
        folder = runs_dir / f"{stamp}-{n}"
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise ValidationError(
            "runs", str(runs_dir), f"cannot hold the run's folder: {exc.strerror}.",
            hint="Pass --runs a folder you can write to.",
        ) from exc
    settings: dict[str, Any] = _defaults(paths)
    settings.update({k: params[k] for k in ("target", "region", "apply") if k in params})
    settings["seed"] = seed
    result = RunResult(folder, params, started=started.isoformat(timespec="seconds"), settings=settings)

    lab = None
    env: dict[str, str | None] = {}
    if target == "lab":
        from sesbook.lab import ENV_LAB
        from sesbook.lab.runtime import Lab

        if found is None:
            lab = Lab(seed=seed)
            info, source = lab.start(), "started for this run and stopped after it"
        else:
            info, source = found
            source = f"already running, found through {source}"
            if seed is not None and seed != info.seed:
                log.warning("--seed %s is not applied: the run uses the running lab at %s (seed %s)",
                            seed, info.aws_endpoint, info.seed)
        env[ENV_LAB] = info.to_json()
        result.lab = {"aws_endpoint": info.aws_endpoint, "dns": info.dns, "pid": info.pid, "seed": info.seed,
                      "source": source}
        result.settings["seed"] = info.seed
        log.info("run %s uses the %s", folder.name, result.lab_line())
    names = [p.name for p in paths]
    try:
        with _environment(**env):
            bar = tqdm(paths, desc="runbook", unit="notebook", disable=not progress)
            failed = False
            for path in bar:
                bar.set_postfix_str(path.name)
                output = folder / path.name
                if failed:
                    result.notebooks.append(NotebookResult(path.name, "not run"))
                    continue
                start = time.monotonic()
                entry = NotebookResult(path.name, "ok", output=output)
                _execute(path, output, per_notebook[path], entry)
                failed = entry.status == "failed"
                entry.seconds = time.monotonic() - start
                if output.exists():
                    _describe_failure(entry, output)
                    entry.html = render_html(output, pages=names)
                result.notebooks.append(entry)
            bar.close()
    finally:
        if lab is not None:
            lab.stop()
        write_index(result)
    return result


def _describe_failure(entry: NotebookResult, output: Path) -> None:
    """Fill in the failing cell as the reader sees it, from the executed notebook."""
    if entry.status != "failed":
        return
    import nbformat

    count, first, anchor = failing_cell(nbformat.read(str(output), as_version=4))
    if first or anchor:
        entry.execution_count = count if count is not None else entry.execution_count
        entry.source, entry.anchor = first, anchor


def strip_run_metadata(nb: Any) -> Any:
    """Remove papermill's run metadata, every timing and the widget state nbclient saves (its model ids are
    random, and a page shows the widgets' plain rendering anyway), so a re-run changes nothing but outputs."""
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                output.get("metadata", {}).pop("execution", None)
    return nb


def check_notebook_file(path: Path) -> None:
    """Refuse, with a sesbook error, a path that is not a readable notebook (papermill would trace back)."""
    import nbformat

    hint = "Pass .ipynb notebooks, e.g. notebooks/01-verify-a-domain.ipynb."
    if not path.is_file():
        raise ValidationError("path", str(path), "is not a file.", hint=hint)
    if path.suffix != ".ipynb":
        raise ValidationError("path", str(path), "is not a notebook (.ipynb).", hint=hint)
    try:
        nbformat.read(str(path), as_version=4)
    except OSError as exc:
        raise ValidationError("path", str(path), f"cannot be read: {exc.strerror}.", hint=hint) from exc
    except (ValueError, KeyError, AttributeError, nbformat.ValidationError) as exc:
        raise ValidationError("path", str(path), "is not a valid notebook.", hint=hint) from exc


def execute_in_place(path: Path, *, seed: int = 1, timeout: int = 600) -> None:
    """Execute one notebook alone against a fresh lab seeded with ``seed``, and save it with its outputs.

    Raises :class:`RunbookError` (the notebook is left as it was) if a cell fails.
    """
    check_timing(timeout=timeout)
    import nbformat
    import papermill

    check_notebook_file(path)

    with _environment(SESBOOK_LAB=None, SESBOOK_LAB_SEED=str(seed), SESBOOK_LAB_STATE=os.devnull):
        try:
            nb = papermill.execute_notebook(
                str(path), None, parameters=None, kernel_name=KERNEL, cwd=str(path.parent),
                progress_bar=False, log_output=False, execution_timeout=timeout, config=kernel_config(),
            )
        except papermill.PapermillExecutionError as exc:
            raise RunbookError(path.name, cell=exc.cell_index, ename=exc.ename, evalue=exc.evalue,
                               execution_count=exc.exec_count,
                               source=next((x for x in exc.source.splitlines() if x.strip()), "")) from exc
    strip_run_metadata(nb)
    coalesce_streams(nb)  # a progress line is saved as its last text
    tmp = path.with_suffix(".ipynb.tmp")
    nbformat.write(nb, str(tmp))
    tmp.replace(path)
