"""Every notebook run in JupyterLab in a real browser, the way a learner runs it (``make learn``).

nbval and papermill run the notebooks in a kernel and compare or keep the outputs; nothing there draws
them. This test does: JupyterLab on loopback, headless Debian Chromium driven by Playwright, and for each
notebook (00 to 07, then 99, in order) "Run All Cells", then what a learner would see checked in the page:

- **no error output**: no output of type ``error`` in the notebook model (what an uncaught exception leaves;
  JupyterLab draws it as a traceback in an ``.jp-OutputArea-output`` whose rendered text has the mime type
  ``application/vnd.jupyter.stderr``), and no stderr *stream* output holding a Python traceback (an
  exception logged from a thread). Plain stderr (a progress line, a warning) is not an error;
- **every cell ran**: the kernel is idle and every code cell has an execution count;
- **every picture loaded**: each ``<img>`` in the notebook (attachments, PNG and SVG outputs) is complete
  with ``naturalWidth > 0`` (a broken image has 0);
- **every widget drawn**: no "Loading widget..." or "Error displaying widget" left in an output, and each
  widget view (``.jupyter-widgets``) has a size;
- **Japanese drawn with a CJK font**: Chromium's DevTools ``CSS.getPlatformFontsForNode`` names the fonts
  that actually drew the glyphs of a node. A Japanese run of text from the notebook is put in a span of its
  own and must be drawn by a font whose family is a CJK one ("Noto Sans CJK JP", ...). Why not the other
  ways: ``document.fonts.check('16px "Noto Sans CJK JP"')`` answers true for any font that is not a web font,
  installed or not; comparing widths against a tofu box depends on the fallback font's metrics. The
  DevTools answer is what Chromium itself used, with no threshold to tune. The same check asks that a
  ✅/❌ mark, where a notebook shows one, be drawn with an emoji font.

The lab is started as ``make learn`` starts it (:func:`sesbook.learn.start_lab_process`, announced to every
kernel in ``SESBOOK_LAB``), so what 01 verifies, 02 finds verified. JupyterLab serves a temporary copy of
``notebooks/`` and ``img/`` with the outputs cleared (so every output checked is one this run made); the
committed notebooks are never opened. The lab is seeded as a learner's is, but nothing here depends on ids.

A screenshot of each notebook (at its first error, else at the Japanese text checked), and one of each widget
it draws, are saved under the test's ``tmp_path``. Skipped, saying why, when ``/usr/bin/chromium`` or the
``playwright`` package is missing, except under CI (``CI=true``), where that is a failure: ``.ci/run``
installs Chromium and the CJK and emoji fonts (never ``playwright install``: no browser is downloaded). Run
only this test with ``pytest tests/browser -m browser``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
import pytest

from sesbook.learn import JUPYTER, start_lab_process

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = [pytest.mark.browser, pytest.mark.notebook, pytest.mark.lab]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NOTEBOOKS = sorted(path.name for path in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
#: Seconds one notebook may take from "Run All Cells" to the last output drawn.
NOTEBOOK_TIMEOUT = 240
#: A font family that can draw Japanese (Noto CJK is what .ci/run installs; the others are common elsewhere).
CJK_FAMILIES = ("CJK", "Noto Sans JP", "Noto Serif JP", "IPAGothic", "IPAPGothic", "IPAexGothic", "TakaoGothic",
                "VL Gothic", "Droid Sans Fallback", "Source Han")

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None

_MISSING = ("the playwright package is not installed (pip install -r requirements.txt)" if sync_playwright is None
            else f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk fonts-noto-color-emoji)"
            if not CHROMIUM.exists() else "")
if _MISSING and os.environ.get("CI") == "true":
    pytest.fail(f"CI must run the browser test, but {_MISSING}", pytrace=False)  # .ci/run installs both
if _MISSING:
    pytest.skip(_MISSING, allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _copy_cleared(root: Path) -> None:
    """``notebooks/`` (outputs and execution counts cleared) and ``img/`` copied under ``root``."""
    shutil.copytree(ROOT / "img", root / "img")
    (root / "notebooks").mkdir()
    for name in NOTEBOOKS:
        nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        nbformat.write(nb, root / "notebooks" / name)


def _settings(folder: Path) -> None:
    """JupyterLab user settings for the run: every cell kept in the page (no windowing, so each output can be
    checked without scrolling to it), and no news or update check (no network, no pop-up)."""
    tracker = folder / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    notes = folder / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notes.parent.mkdir(parents=True)
    notes.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))


def _wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)  # waiting for a server to come up, not timing a behaviour
    raise AssertionError(f"JupyterLab did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _stop(*procs: subprocess.Popen[Any] | None) -> None:
    """SIGTERM to all at once (each stops in its own time), then wait for each; kill what does not stop."""
    running = [proc for proc in procs if proc is not None and proc.poll() is None]
    for proc in running:
        proc.send_signal(signal.SIGTERM)
    for proc in running:
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One lab (as ``make learn`` starts it) and JupyterLab on a cleared copy of the notebooks starting; yields
    its URL and ``ready``, which waits until it answers."""
    base = tmp_path_factory.mktemp("jupyterlab")
    served = base / "served"
    served.mkdir()
    _copy_cleared(served)
    _settings(base / "settings")
    env = {key: value for key, value in os.environ.items() if key not in ("MPLBACKEND", "SESBOOK_LAB_SEED")}
    env.update({
        "PYTHONPATH": str(ROOT),  # kernels import this checkout's sesbook, not an installed one
        "SESBOOK_LAB_STATE": str(base / "lab.json"),
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "IPYTHONDIR": str(base / "ipython"),
    })
    lab, info = start_lab_process(env=env)
    token = secrets.token_hex(16)
    port = _free_port()
    log = base / "jupyterlab.log"
    command = [*JUPYTER, f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={served}",
               f"--LabApp.user_settings_dir={base / 'settings'}", f"--LabApp.workspaces_dir={base / 'workspaces'}",
               "--LabApp.expose_app_in_browser=True", "--ServerApp.open_browser=False",
               "--LabApp.extension_manager=readonly",  # no PyPI look-ups from the extension manager
               "--ServerApp.allow_root=True"]  # CI runs as root; the server listens on loopback only
    url = f"http://127.0.0.1:{port}"
    server = None
    try:
        with log.open("wb") as out:
            server = subprocess.Popen(command, env={**env, "SESBOOK_LAB": json.dumps(info)}, stdout=out,
                                      stderr=subprocess.STDOUT, cwd=served)
        # not waited for here: Chromium starts meanwhile (the page fixture calls ready())
        yield {"url": url, "token": token, "served": served, "log": log,
               "ready": lambda: _wait_until_up(f"{url}/api/status?token={token}", server, log)}
    finally:
        _stop(lab, server)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Any]:
    """Playwright's driver (one per module: its sync API cannot be started twice at once)."""
    assert sync_playwright is not None
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def page(playwright: Any, jupyterlab: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Chromium (headless, a fresh profile) with JupyterLab open and ready."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS,
        viewport={"width": 1400, "height": 1000}, locale="en-US")
    try:
        jupyterlab["ready"]()
        tab = context.pages[0] if context.pages else context.new_page()
        tab.console_errors = []
        tab.on("console", lambda msg: msg.type == "error" and tab.console_errors.append(msg.text))
        tab.goto(f"{jupyterlab['url']}/lab?reset&token={jupyterlab['token']}", timeout=60_000)
        tab.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
        tab.evaluate("async () => { await window.jupyterapp.restored; }")
        yield tab
    finally:
        context.close()


#: Open one notebook, run all its cells, wait for the kernel, then report what the page shows.
RUN_NOTEBOOK = """
async ([path, timeoutMs]) => {
  const app = window.jupyterapp;
  const within = (what, promise) => Promise.race([promise, new Promise((_, reject) => setTimeout(
      () => reject(new Error(`${what} took more than ${timeoutMs / 1000} s`)), timeoutMs))]);
  const t0 = Date.now();
  const open = app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  const widget = await within('opening the notebook', open);
  await within('starting its kernel', Promise.all([widget.context.ready, widget.sessionContext.ready]));
  app.shell.activateById(widget.id);
  window.notebookUnderTest = widget;
  const t1 = Date.now();
  const ran = await within('Run All Cells', app.commands.execute('notebook:run-all-cells'));
  const kernel = widget.sessionContext.session.kernel;
  const deadline = Date.now() + 30000;
  while (kernel.status !== 'idle' && Date.now() < deadline) { await new Promise(r => setTimeout(r, 100)); }
  return {ran, kernel: kernel.status, openSeconds: (t1 - t0) / 1000, runSeconds: (Date.now() - t1) / 1000};
}
"""

#: What the page shows for the current notebook: the checks of the module docstring, as data.
INSPECT = """
() => {
  const widget = window.notebookUnderTest;
  const node = widget.content.node;
  const cells = widget.content.widgets;
  const report = {unrun: [], errors: [], tracebacks: [], images: [], widgets: [], widgetViews: 0, japanese: null};
  let firstProblem = null;
  cells.forEach((cell, index) => {
    if (cell.model.type !== 'code') return;
    const head = cell.model.sharedModel.getSource().split('\\n')[0].slice(0, 80);
    if (cell.model.executionCount === null) report.unrun.push(`cell ${index}: ${head}`);
    const outputs = cell.model.outputs;
    for (let i = 0; i < outputs.length; i++) {
      const output = outputs.get(i).toJSON();
      if (output.output_type === 'error') {
        report.errors.push(`cell ${index} (${head}): ${output.ename}: ${output.evalue}`);
        firstProblem = firstProblem || cell.node;
      } else if (output.output_type === 'stream' && output.name === 'stderr') {
        const text = Array.isArray(output.text) ? output.text.join('') : output.text;
        if (text.includes('Traceback (most recent call last)')) {
          report.tracebacks.push(`cell ${index}: ${text}`);
          firstProblem = firstProblem || cell.node;
        }
      }
    }
  });
  for (const img of node.querySelectorAll('img')) {
    if (img.complete && img.naturalWidth > 0) continue;
    report.images.push(img.src.startsWith('data:') ? `${img.src.slice(0, 40)}...` : img.src.split('?')[0]);
  }
  for (const area of node.querySelectorAll('.jp-OutputArea-output')) {
    const text = area.textContent;
    if (text.includes('Loading widget...') || text.includes('Error displaying widget')) {
      report.widgets.push(text.trim().slice(0, 200));
    }
  }
  for (const view of node.querySelectorAll('.jp-OutputArea-output .jupyter-widgets')) {
    if (view.parentElement.closest('.jupyter-widgets') !== null) continue;  // inside a box: the box counts
    view.setAttribute('data-widget-view', String(report.widgetViews));
    report.widgetViews += 1;
    const box = view.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) report.widgets.push(`a widget view drawn ${box.width} x ${box.height}`);
  }
  // the first run of Japanese text, and the first check mark, in a span of its own for the font checks
  const probe = (name, pattern) => {
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT,
        {acceptNode: t => pattern.test(t.data) && !t.parentElement.closest('.cm-editor, .jp-InputArea-editor')
                            ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP});
    const text = walker.nextNode();
    if (!text) return null;
    const match = pattern.exec(text.data);
    const part = text.splitText(match.index);
    part.splitText(match[0].length);
    const span = document.createElement('span');
    span.setAttribute('data-font-probe', name);
    part.parentNode.replaceChild(span, part);
    span.appendChild(part);
    return match[0];
  };
  report.japanese = probe('japanese', /[\\u3040-\\u30ff\\u3400-\\u9fff]+/);
  report.emoji = probe('emoji', /[\\u2705\\u274c]/);
  window.firstProblem = firstProblem;
  return report;
}
"""

#: The page screenshot shows the first problem if there is one, else the Japanese text checked.
INSPECT_SCROLL = """
() => {
  const node = window.notebookUnderTest.content.node;
  (window.firstProblem || node.querySelector('[data-font-probe="japanese"]') || node).scrollIntoView();
}
"""

#: Save the notebook (a temporary copy), shut its kernel down and close it; not waited for, so the next
#: notebook's kernel starts meanwhile.
CLOSE = """
() => {
  const widget = window.notebookUnderTest;
  Promise.all([widget.context.save(), widget.sessionContext.shutdown()]).finally(() => widget.dispose());
}
"""


def _fonts_of_probe(page: Any, name: str) -> list[dict[str, Any]]:
    """The platform fonts Chromium used to draw the ``[data-font-probe=NAME]`` span (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        document = cdp.send("DOM.getDocument", {"depth": 0})
        selector = f'[data-font-probe="{name}"]'
        found = cdp.send("DOM.querySelector", {"nodeId": document["root"]["nodeId"], "selector": selector})
        return list(cdp.send("CSS.getPlatformFontsForNode", {"nodeId": found["nodeId"]})["fonts"])
    finally:
        cdp.detach()


def _run_and_inspect(page: Any, path: str, screenshot: Path) -> dict[str, Any]:
    """Open ``path`` in JupyterLab, Run All Cells, wait for it (bounded), and return what the page shows, with
    the fonts that drew the Japanese probe and the browser's console errors meanwhile; saves a screenshot."""
    started = time.monotonic()
    page.console_errors.clear()
    outcome = page.evaluate(RUN_NOTEBOOK, [path, NOTEBOOK_TIMEOUT * 1000])
    # a widget is drawn after its output arrives: wait (bounded) for the last placeholder to go
    try:
        page.wait_for_function(
            "() => ![...window.notebookUnderTest.content.node.querySelectorAll('.jp-OutputArea-output')]"
            ".some(o => o.textContent.includes('Loading widget...'))", timeout=30_000)
    except PlaywrightTimeout:
        pass  # reported by the widget check, with the output named
    report = {**outcome, **page.evaluate(INSPECT)}
    report["fonts"] = _fonts_of_probe(page, "japanese") if report["japanese"] else []
    report["emoji_fonts"] = _fonts_of_probe(page, "emoji") if report["emoji"] else []
    for index in range(report["widgetViews"]):  # each widget as drawn, beside the page
        page.locator(f'[data-widget-view="{index}"]').screenshot(
            path=str(screenshot.with_name(f"{screenshot.stem}-widget-{index}.png")), timeout=10_000)
    page.evaluate(INSPECT_SCROLL)
    page.screenshot(path=str(screenshot))
    page.evaluate(CLOSE)
    report["console"] = list(page.console_errors)
    report["seconds"] = time.monotonic() - started
    print(f"{path}: {report['seconds']:.1f} s (open {report['openSeconds']:.1f} s, run {report['runSeconds']:.1f} s), "
          f"{report['widgetViews']} widget views, Japanese drawn with "
          f"{[font['familyName'] for font in report['fonts']]}, {report['emoji']} with "
          f"{[font['familyName'] for font in report['emoji_fonts']]}; browser console errors: {report['console']}")
    return report


def _cjk_fonts(report: dict[str, Any]) -> list[str]:
    return [font["familyName"] for font in report["fonts"]
            if font["glyphCount"] and any(family in font["familyName"] for family in CJK_FAMILIES)]


def _emoji_fonts(report: dict[str, Any]) -> list[str]:
    return [font["familyName"] for font in report["emoji_fonts"]
            if font["glyphCount"] and "Emoji" in font["familyName"]]


def test_the_checks_catch_what_they_look_for(page: Any, jupyterlab: dict[str, Any], tmp_path: Path) -> None:
    """A notebook made to fail every check (and to draw a widget, which none of 00-99 may have yet): each
    check must see it, or a green run of the real notebooks would prove nothing."""
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    nb.cells = [
        nbformat.v4.new_markdown_cell('検証済みID ✅ <img src="no-such-picture.png">'),
        nbformat.v4.new_code_cell('import ipywidgets\nipywidgets.IntSlider(value=3, description="送信数")'),
        nbformat.v4.new_code_cell("import sys\nprint('50%|#####     | 5/10', file=sys.stderr)"),  # not an error
        nbformat.v4.new_code_cell('print("Traceback (most recent call last):\\nValueError: logged", file=sys.stderr)'),
        nbformat.v4.new_code_cell('raise ValueError("shown on purpose")'),
        nbformat.v4.new_code_cell("1 + 1"),
    ]
    nbformat.write(nb, jupyterlab["served"] / "selfcheck.ipynb")
    report = _run_and_inspect(page, "selfcheck.ipynb", tmp_path / "selfcheck.png")
    assert report["ran"] is False
    assert [line.split(": ", 1)[1] for line in report["errors"]] == ["ValueError: shown on purpose"]
    assert [line.split(": ", 1)[0] for line in report["tracebacks"]] == ["cell 3"]
    assert report["unrun"] == ["cell 5: 1 + 1"]
    assert len(report["images"]) == 1 and report["images"][0].endswith("no-such-picture.png")
    assert report["widgetViews"] == 1 and report["widgets"] == []
    assert report["japanese"] == "検証済み" and _cjk_fonts(report)
    assert report["emoji"] == "✅" and _emoji_fonts(report)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_draws_in_jupyterlab(name: str, page: Any, tmp_path: Path) -> None:
    report = _run_and_inspect(page, f"notebooks/{name}", tmp_path / f"{name.removesuffix('.ipynb')}.png")
    assert report["kernel"] == "idle", f"{name}: the kernel is {report['kernel']} after Run All Cells"
    assert not report["errors"], f"{name}: error outputs:\n" + "\n".join(report["errors"])
    assert not report["tracebacks"], f"{name}: tracebacks on stderr:\n" + "\n".join(report["tracebacks"])
    assert not report["unrun"], f"{name}: cells without an execution count:\n" + "\n".join(report["unrun"])
    assert report["ran"] is True, f"{name}: Run All Cells reported a failure"
    assert not report["images"], f"{name}: pictures that did not load: {report['images']}"
    assert not report["widgets"], f"{name}: widgets not drawn: {report['widgets']}"
    assert report["japanese"], f"{name}: no Japanese text found to check the font with"
    assert _cjk_fonts(report), (f"{name}: {report['japanese']!r} was drawn with {report['fonts']}, none a CJK "
                                "font (apt-get install fonts-noto-cjk)")
    assert not report["emoji"] or _emoji_fonts(report), (
        f"{name}: {report['emoji']!r} was drawn with {report['emoji_fonts']}, no emoji font "
        "(apt-get install fonts-noto-color-emoji)")


def test_the_font_check_tells_a_cjk_font_from_tofu(playwright: Any, page: Any, tmp_path: Path) -> None:
    """The same text drawn twice: in the test's Chromium, and in one that sees only DejaVu (no CJK, no emoji
    font: a bare machine, where Japanese comes out as boxes). The font check passes the first and fails the
    second, so a pass above means the glyphs really came from a CJK font."""
    dejavu = Path("/usr/share/fonts/truetype/dejavu")
    if not dejavu.is_dir():
        pytest.skip(f"{dejavu} is missing (it comes with Chromium on Debian)")
    config = tmp_path / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?><fontconfig><dir>{dejavu}</dir>'
                      f"<cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>")
    sample = '<p>SES <span data-font-probe="japanese">検証済み</span> <span data-font-probe="emoji">✅</span></p>'

    def draw(tab: Any) -> dict[str, Any]:
        tab.set_content(sample)
        return {"fonts": _fonts_of_probe(tab, "japanese"), "emoji_fonts": _fonts_of_probe(tab, "emoji")}

    tab = page.context.new_page()
    try:
        with_fonts = draw(tab)
    finally:
        tab.close()
    assert _cjk_fonts(with_fonts) and _emoji_fonts(with_fonts), with_fonts
    bare = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS,
                                      env={**os.environ, "FONTCONFIG_FILE": str(config)})
    try:
        without = draw(bare.new_page())
    finally:
        bare.close()
    assert without["fonts"] and not _cjk_fonts(without) and not _emoji_fonts(without), without
