"""The lab's Handlebars rendering (pybars3) and what counts as a rendering failure, without a server."""

from __future__ import annotations

import pytest

from sesbook.lab.ses.templates.state import Rendered, RenderError, render, render_part, rendered_mime


@pytest.mark.parametrize(("source", "data", "expected"), [
    ("{{n}}|{{f}}|{{one}}", {"n": 7, "f": 0.5, "one": 1.0}, "7|0.5|1"),
    ("{{t}} {{f}}", {"t": True, "f": False}, "true false"),
    ("{{#each xs}}<{{this}}>{{/each}}", {"xs": [1, "b"]}, "<1><b>"),
    ("{{#each xs}}{{name}}{{/each}}", {"xs": [{"name": "a"}, {}]}, "a"),
    ("{{a.b.c}}", {"a": {"b": {"c": "deep"}}}, "deep"),
    ("{{a.b.c}}", {"a": {}}, ""),
    ("{{#if on}}yes{{/if}}{{#unless on}}no{{/unless}}", {"on": 0}, "no"),
    ("{{#with user}}{{first}}{{/with}}", {"user": {"first": "Ann"}}, "Ann"),
    ("{{x}}", {"x": None}, ""),
    ("{{x}}", {"x": "O'Neil & <co>"}, "O&#x27;Neil &amp; &lt;co&gt;"),
])
def test_handlebars_features(source: str, data: dict[str, object], expected: str) -> None:
    assert render_part(source, data) == expected


@pytest.mark.parametrize(("source", "data", "kind"), [
    ("{{missing}}", {}, "missing"),
    ("{{#if on}}{{missing}}{{/if}}", {"on": True}, "missing"),
    ("{{#each xs}}x", {"xs": [1]}, "syntax"),
    ("{{#if a}}x{{/each}}", {"a": 1}, "syntax"),
    ("{{oops", {}, "syntax"),
    ("{{#each}}{{/each}}", {}, "syntax"),
])
def test_rendering_failures(source: str, data: dict[str, object], kind: str) -> None:
    with pytest.raises(RenderError) as caught:
        render_part(source, data)
    assert caught.value.kind == kind


@pytest.mark.parametrize("data", ["[1, 2]", "not json", '"text"'])
def test_data_that_is_not_an_object_is_a_data_failure(data: str) -> None:
    with pytest.raises(RenderError) as caught:
        render({"subject_part": "s", "text_part": "t"}, data)
    assert caught.value.kind == "data" and caught.value.message == "Template rendering data is invalid"


def test_extra_data_is_fine_and_a_missing_guarded_field_is_not_needed() -> None:
    rendered = render({"subject_part": "Hi {{name}}", "text_part": "{{#if vip}}{{title}}{{/if}}ok"},
                      '{"name": "Jane", "favoritenumber": "10"}')
    assert rendered == Rendered("Hi Jane", "ok", None)


def test_the_built_mime_has_both_parts_and_ses_message_id() -> None:
    raw = rendered_mime(Rendered("S", "text", "<p>html</p>"), source="a@example.com", to=["b@example.net"],
                        message_id="0100abc-000000")
    assert "multipart/alternative" in raw and "<0100abc-000000@email.amazonses.com>" in raw
    assert "text/plain" in raw and "text/html" in raw
