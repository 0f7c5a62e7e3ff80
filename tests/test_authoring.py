"""What ``python -m sesbook tidy`` derives from the notebooks is current."""

from __future__ import annotations

import ast
import base64
from typing import TYPE_CHECKING

import nbformat
import papermill
import yaml
from nbformat.v4 import new_markdown_cell, new_notebook

from sesbook.authoring import (
    GLOSSARY,
    GLOSSARY_START,
    IMAGES,
    PARAMS_FILE,
    attach_pictures,
    attachment_problems,
    glossary_problems,
    link_next,
    link_problems,
    links,
    next_link_problems,
    notebook_list,
    parameters_example,
    parameters_problems,
    picture_digest,
    picture_problems,
    picture_scripts,
    png_text,
    render_pictures,
)
from sesbook.runbook import _split_parameters, load_parameters

if TYPE_CHECKING:
    from pathlib import Path

FIX = "run `python -m sesbook tidy` and commit the result"


def test_params_example_is_current() -> None:
    assert parameters_problems() == [], FIX


def test_params_example_names_every_parameter_with_its_default() -> None:
    loaded = yaml.safe_load(PARAMS_FILE.read_text())
    for path in notebook_list():
        for name, spec in papermill.inspect_notebook(str(path)).items():
            assert name in loaded, f"{path.name}: {name} is not in {PARAMS_FILE.name}"
            assert loaded[name] == ast.literal_eval(spec["default"]), (name, loaded[name], spec["default"])
    # the runner takes it as it is
    params = load_parameters(str(PARAMS_FILE), [])
    assert _split_parameters(notebook_list(), params)


def test_params_example_follows_a_new_notebook(tmp_path: Path) -> None:
    from nbformat.v4 import new_code_cell

    cell = new_code_cell('target: str = "lab"  # lab or aws\ncolour: str = "blue"  # a colour',
                         metadata={"tags": ["parameters"]})
    spec = {"name": "python3", "language": "python", "display_name": "Python 3"}
    nbformat.write(new_notebook(cells=[cell], metadata={"kernelspec": spec}), tmp_path / "00-a.ipynb")
    text = parameters_example(tmp_path)
    assert "# 00-a.ipynb\ntarget: lab  # lab or aws\ncolour: blue  # a colour\n" in text
    assert parameters_problems(tmp_path, tmp_path / "p.yaml") == ["p.yaml is missing"]


# -- navigation and links ----------------------------------------------------------------------------------------
def test_every_next_section_links_the_next_notebook() -> None:
    assert next_link_problems() == [], FIX


def test_every_link_and_image_in_every_notebook_resolves() -> None:
    problems = [p for path in notebook_list() for p in link_problems(path)]
    assert problems == []


def test_no_notebook_shows_a_picture_from_outside_its_folder() -> None:
    """JupyterLab started on notebooks/ cannot serve ../img: pictures travel as attachments."""
    for path in notebook_list():
        outside = [t for _, t in links(nbformat.read(path, as_version=4)) if t.startswith("../")]
        assert outside == [], f"{path.name}: {outside}"


def _book(folder: Path, name: str, *markdown: str) -> Path:
    path = folder / name
    nbformat.write(new_notebook(cells=[new_markdown_cell(m) for m in markdown]), path)
    return path


def _summarise(path: Path, text: str) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.metadata["sesbook"] = {"summary": text}
    nbformat.write(nb, path)


def test_next_links_follow_the_notebook_list(tmp_path: Path) -> None:
    _book(tmp_path, "00-a.ipynb", "# Alpha", "## Next\n\n[01 — Old name](01-old.ipynb): the second one.")
    _book(tmp_path, "01-b.ipynb", "# Beta: two", "## Next\n\n02 — Gamma: still to come.")
    _summarise(tmp_path / "01-b.ipynb", "the second one.")
    assert next_link_problems(tmp_path) == ["00-a.ipynb: '## Next' should link and describe 01-b.ipynb"]
    first = nbformat.read(tmp_path / "00-a.ipynb", as_version=4)
    assert link_next(first, tmp_path / "01-b.ipynb")
    assert first.cells[1].source == "## Next\n\n[01 — Beta: two](01-b.ipynb): the second one."
    nbformat.write(first, tmp_path / "00-a.ipynb")
    assert next_link_problems(tmp_path) == [], "the last notebook names what is coming without a link"
    _book(tmp_path, "02-c.ipynb", "# Gamma", "## Next\n\nNothing yet.")
    assert next_link_problems(tmp_path) == [
        "01-b.ipynb: '## Next' should link and describe 02-c.ipynb",
        '02-c.ipynb has no one-line summary for the \'## Next\' of 01-b.ipynb: add "sesbook": {"summary": "..."} '
        "to its notebook metadata"]
    _book(tmp_path, "03-d.ipynb", "# Delta")
    _summarise(tmp_path / "02-c.ipynb", "the third.")
    _summarise(tmp_path / "03-d.ipynb", "the fourth.")
    assert next_link_problems(tmp_path)[1:] == ["02-c.ipynb: '## Next' should start with a link to 03-d.ipynb",
                                                "03-d.ipynb has no '## Next' section"]


def test_next_describes_the_notebook_it_links_after_a_move(tmp_path: Path) -> None:
    """Moving a notebook changes the link and its description together; the rest of the cell stays."""
    _book(tmp_path, "00-a.ipynb", "# Alpha", "## Next\n\n[01 — Beta](01-b.ipynb): what beta does,\nin two lines.\n\n"
          "## Resources\n\n- a book")
    _book(tmp_path, "01-b.ipynb", "# Beta", "## Next\n\n00 — Alpha: start again.")
    _summarise(tmp_path / "01-b.ipynb", "what beta does, in two lines.")
    _book(tmp_path, "01-c.ipynb", "# Gamma", "## Next\n\n00 — Alpha: start again.")  # now between a and b
    _summarise(tmp_path / "01-c.ipynb", "what gamma does, " + "at some length " * 8 + "to wrap.")
    first = nbformat.read(tmp_path / "00-a.ipynb", as_version=4)
    assert link_next(first, tmp_path / "01-c.ipynb")
    text = first.cells[1].source
    assert text.startswith("## Next\n\n[01 — Gamma](01-c.ipynb): what gamma does, at some length")
    assert "beta" not in text and text.endswith("to wrap.\n\n## Resources\n\n- a book")
    assert max(len(line) for line in text.splitlines()) <= 110
    assert not link_next(first, tmp_path / "01-c.ipynb"), "a second tidy changes nothing"


def test_broken_links_are_named(tmp_path: Path) -> None:
    path = _book(tmp_path, "00-a.ipynb", "# A\n\n## Step 1\n\n[x](01-none.ipynb) [y](00-a.ipynb#Step-1) "
                 "[z](00-a.ipynb#Step-9) ![p](attachment:p.png) [web](https://example.com)")
    assert link_problems(path) == [
        "00-a.ipynb, cell 0: 01-none.ipynb names no file",
        "00-a.ipynb, cell 0: 00-a.ipynb#Step-9: no heading makes the anchor #Step-9",
        "00-a.ipynb, cell 0: attachment:p.png is not attached to the cell",
    ]


# -- pictures ------------------------------------------------------------------------------------------------------
def test_pictures_are_attached_as_the_current_files_in_img() -> None:
    assert attachment_problems() == [], FIX
    attached = 0
    for path in notebook_list():
        for cell in nbformat.read(path, as_version=4).cells:
            for name, data in cell.get("attachments", {}).items():
                assert base64.b64decode(data["image/png"]) == (IMAGES / name).read_bytes(), name
                attached += 1
    assert attached, "00 shows the lab's architecture"


def test_pictures_in_img_are_what_their_source_draws() -> None:
    """Every img/NAME.py has its NAME.png, drawn from the sources as they are (the digest in the PNG) with a
    CJK font."""
    scripts = picture_scripts()
    assert len(scripts) >= 7 and all(not s.name.startswith("_") for s in scripts)
    assert picture_problems() == [], "run `python -m sesbook pictures` (it re-draws img/ from its .py sources)"


def _copy_pictures(tmp_path: Path, *names: str) -> Path:
    import shutil

    for name in ["_diagram.py", *names]:
        shutil.copy(IMAGES / name, tmp_path / name)
    return tmp_path


def test_a_drawn_picture_carries_the_digest_of_its_sources(tmp_path: Path) -> None:
    """The digest the drawing helper writes is the one authoring computes; an edit makes the picture stale,
    and drawing only the stale pictures makes it current again."""
    img = _copy_pictures(tmp_path, "lab-architecture.py")
    assert picture_problems(img) == ["img/lab-architecture.png is missing"]
    assert render_pictures(img) == [img / "lab-architecture.png"]
    script = img / "lab-architecture.py"
    assert png_text(img / "lab-architecture.png")["Source"] == picture_digest(script)
    assert "Software" not in png_text(img / "lab-architecture.png"), "no version in the picture"

    script.write_text(script.read_text() + "# an edit\n")
    assert picture_problems(img) == [
        "img/lab-architecture.png is not what img/lab-architecture.py draws now (its Source digest differs)"]
    assert render_pictures(img, stale_only=True) == [img / "lab-architecture.png"]
    assert render_pictures(img, stale_only=True) == [], "a current picture is not drawn again"
    (img / "_diagram.py").write_text((img / "_diagram.py").read_text() + "# a helper edit\n")
    assert len(picture_problems(img)) == 1, "a helper's edit makes every picture stale"


def test_a_picture_drawn_without_a_cjk_font_is_refused(tmp_path: Path) -> None:
    from PIL import Image, PngImagePlugin

    script = tmp_path / "p.py"
    script.write_text("# draws p.png\n")
    info = PngImagePlugin.PngInfo()
    info.add_text("Source", picture_digest(script))
    info.add_text("Fallback", "no CJK font: Japanese labels left out")
    Image.new("RGB", (4, 4), "white").save(tmp_path / "p.png", pnginfo=info)
    assert png_text(tmp_path / "p.png")["Fallback"] == "no CJK font: Japanese labels left out"
    assert picture_problems(tmp_path) == [
        "img/p.png was drawn without a CJK font (no CJK font: Japanese labels left out); install fonts-noto-cjk"]
    (tmp_path / "q.png").write_bytes(b"not a png")
    assert png_text(tmp_path / "q.png") == {}


def test_attach_rewrites_the_path_and_carries_the_bytes(tmp_path: Path) -> None:
    (tmp_path / "d.png").write_bytes(b"\x89PNG fake")
    nb = new_notebook(cells=[new_markdown_cell("![A diagram](../img/d.png) and ![other](../img/none.png)")])
    assert attach_pictures(nb, tmp_path)
    assert nb.cells[0].source == "![A diagram](attachment:d.png) and ![other](../img/none.png)"
    assert base64.b64decode(nb.cells[0].attachments["d.png"]["image/png"]) == b"\x89PNG fake"
    assert not attach_pictures(nb, tmp_path), "a second run changes nothing"
    (tmp_path / "d.png").write_bytes(b"\x89PNG newer")
    assert attach_pictures(nb, tmp_path), "a re-drawn picture is attached again"


# -- the SES notes' glossary ------------------------------------------------------------------------------------
def test_readme_and_notebook_00_show_the_current_glossary() -> None:
    assert glossary_problems() == [], FIX


#: Headings of the notes the notebooks name as sections (not terms).
HEADINGS = ("SESで設定するDNS設定のまとめ SESの送受信実装例 SESのメール受信 SESのメール送信 SESのモニタリング "
            "受信実装 送信実装 受信制約 メール送信の制限")  # section headings of the notes


def test_the_glossary_covers_the_japanese_terms_the_notebooks_use() -> None:
    """Every bracketed Japanese term in the notebooks' prose is in the glossary (or is a heading of the notes)."""
    import re

    known = " ".join(ja for ja, _, _ in GLOSSARY)
    for term in ("受信ルール", "抑制リスト", "サンドボックス", "バウンス", "苦情", "プロダクション", "上限緩和申請"):
        assert term in known
    for path in notebook_list():
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            prose = cell.cell_type == "markdown" and GLOSSARY_START not in cell.source
            for term in re.findall(r"\(([^()]*[\u3040-\u30ff\u4e00-\u9fff][^()]*)\)", cell.source) if prose else []:
                words = [w.strip("\"'“”「」") for w in re.split(r"[、,\s]+", term)
                         if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", w)]
                assert any(w in known or w in HEADINGS for w in words), (path.name, term)


def test_every_relative_link_in_the_readme_resolves() -> None:
    import re

    readme = PARAMS_FILE.parent / "README.md"
    targets = re.findall(r"\]\(([^)\s#]+)[^)]*\)", readme.read_text())
    missing = [t for t in targets if "://" not in t and not (readme.parent / t).exists()]
    assert missing == []
