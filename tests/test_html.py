"""Tables for notebooks and terminals: left-aligned HTML that fits, text padded by display width."""

from __future__ import annotations

import re

from sesbook import _html


def test_text_table_pads_japanese_by_display_width() -> None:
    text = _html.text_table(["項目", "value"], [("サンドボックス", "200"), ("sandbox", "1"), (None, "x")])
    lines = text.splitlines()
    assert lines[0] == "項目            value"
    # every value starts in the same terminal column although the first cells differ in characters
    starts = {_html.width(line[: line.index(v)]) for line, v in zip(lines[2:], ("200", "1", "x"), strict=True)}
    assert starts == {16}
    assert _html.width("受信ルール") == 10 and _html.width("a\x07b") == 2


def test_html_table_is_left_aligned_and_wraps_only_long_columns() -> None:
    key = "v=DKIM1; k=rsa; p=" + "A" * 300
    page = _html.table(["purpose", "type", "value", "TTL"], [("DKIM (改ざん防止)", "TXT", key, 1800)],
                       caption="records")
    assert page.startswith('<table style="') and "table-layout:auto" in page and "margin-left:0" in page
    cells = re.findall(r'<t[hd] style="([^"]*)"', page)
    assert cells and all("text-align:left" in style for style in cells)
    td = re.findall(r'<td style="([^"]*)">', page)
    assert "white-space:nowrap" in td[0] and "white-space:nowrap" in td[3], "short columns stay on one line"
    assert "overflow-wrap:anywhere" in td[2], "the key wraps instead of pushing the table sideways"
    assert '<caption style="text-align:left">records</caption>' in page
