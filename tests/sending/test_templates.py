"""Templates over the wire: put (idempotent), delete (absent is fine), test render with SES's Handlebars
semantics on both APIs, and a send that fails to render: accepted, not delivered, recorded."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

import sesbook
from sesbook import mailbox
from sesbook.lab.ses._wire import ses_backend_for
from sesbook.lab.ses.templates.state import failures

if TYPE_CHECKING:
    from sesbook.target import Target

pytestmark = pytest.mark.lab

SENDER = "shop@example.com"


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_put_template_creates_then_updates_then_leaves_alone(target: Target, api: str) -> None:
    assert sesbook.put_template(target, "welcome", subject="Hi {{name}}", text="a", api=api).action == "created"
    assert sesbook.put_template(target, "welcome", subject="Hi {{name}}", text="a", api=api).action == "unchanged"
    assert sesbook.put_template(target, "welcome", subject="Hi {{name}}", text="b", api=api).action == "updated"
    assert sesbook.test_render(target, "welcome", {"name": "Ann"}, api=api).text.strip() == "b"


def test_one_store_for_both_apis(target: Target) -> None:
    sesbook.put_template(target, "shared", subject="S {{x}}", html="<i>{{x}}</i>", api="v1")
    got = target.sesv2.get_email_template(TemplateName="shared")
    assert got["TemplateContent"] == {"Subject": "S {{x}}", "Html": "<i>{{x}}</i>"}
    names = [t["TemplateName"] for t in target.sesv2.list_email_templates()["TemplatesMetadata"]]
    assert names == ["shared"]


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_delete_template_twice_is_fine(target: Target, api: str) -> None:
    sesbook.put_template(target, "gone", subject="s", text="t", api=api)
    assert sesbook.delete_template(target, "gone", api=api).action == "deleted"
    assert sesbook.delete_template(target, "gone", api=api).action == "absent"


CASES: list[tuple[str, dict[str, Any], str]] = [
    ("{{n}} and {{f}} and {{big}}", {"n": 3, "f": 2.5, "big": 1.0}, "3 and 2.5 and 1"),
    ("{{yes}}/{{no}}", {"yes": True, "no": False}, "true/false"),
    ("{{#if vip}}VIP{{else}}guest{{/if}}", {"vip": False}, "guest"),
    ("{{#each items}}[{{this}}]{{/each}}", {"items": ["a", 2, True]}, "[a][2][true]"),
    ("{{#each people}}{{name}}={{age}};{{/each}}", {"people": [{"name": "x", "age": 1}, {"name": "y"}]},
     "x=1;y=;"),
    ("{{user.first}} {{user.address.city}}", {"user": {"first": "Ann", "address": {"city": "Oslo"}}}, "Ann Oslo"),
    ("[{{user.middle}}]", {"user": {"first": "Ann"}}, "[]"),
    ("{{#each items}}{{@index}}:{{this}} {{/each}}", {"items": ["a", "b"]}, "0:a 1:b "),
    ("{{note}}", {"note": None}, ""),
    ("{{html}} {{{html}}}", {"html": "<b>"}, "&lt;b&gt; <b>"),
]


@pytest.mark.parametrize("api", ["v1", "v2"])
@pytest.mark.parametrize(("text", "data", "expected"), CASES)
def test_handlebars_semantics(target: Target, api: str, text: str, data: dict[str, Any], expected: str) -> None:
    sesbook.put_template(target, "case", subject="s", text=text, api=api)
    rendered = sesbook.test_render(target, "case", data, api=api)
    assert rendered.ok and rendered.text.rstrip("\n") == expected


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_missing_top_level_variable_fails_the_render_test(target: Target, api: str) -> None:
    sesbook.put_template(target, "color", subject="Hello {{name}}", text="Your colour is {{favoritecolor}}.", api=api)
    rendered = sesbook.test_render(target, "color", {"name": "Jane", "favoritenumber": "10"}, api=api)
    assert not rendered.ok
    assert "favoritecolor" in (rendered.error or "")
    assert rendered.code == ("MissingRenderingAttribute" if api == "v1" else "BadRequestException")
    assert "Rendering Failure" in rendered.explanation


def test_raw_v1_error_names_the_attribute(target: Target) -> None:
    target.ses.create_template(Template={"TemplateName": "t", "SubjectPart": "{{a}}", "TextPart": "x"})
    with pytest.raises(target.ses.exceptions.MissingRenderingAttributeException) as caught:
        target.ses.test_render_template(TemplateName="t", TemplateData="{}")
    assert caught.value.response["Error"]["Message"] == "Attribute 'a' is not present in the rendering data."
    with pytest.raises(target.ses.exceptions.InvalidRenderingParameterException):
        target.ses.test_render_template(TemplateName="t", TemplateData="[1]")


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_a_send_that_cannot_render_is_accepted_then_recorded_not_delivered(sender: Target, api: str) -> None:
    sesbook.put_template(sender, "color", subject="Hello {{name}}", text="Colour {{favoritecolor}}", api=api)
    result = sesbook.send_templated(sender, source=SENDER, to="ann@example.net", template="color",
                                    data={"name": "Jane"}, api=api)
    assert result.message_id  # SES accepted it
    assert mailbox.messages(sender, id=result.message_id) == ()  # and could not deliver it
    [failure] = failures(ses_backend_for(sender.region))
    assert failure["MessageId"] == result.message_id and failure["Template"] == "color"
    assert failure["Kind"] == "missing" and failure["Attribute"] == "favoritecolor" and failure["Api"] == api


def test_bad_template_syntax_is_a_rendering_failure(sender: Target) -> None:
    sesbook.put_template(sender, "broken", subject="s", text="{{#each items}}never closed")
    result = sesbook.send_templated(sender, source=SENDER, to="ann@example.net", template="broken",
                                    data={"items": [1]})
    assert mailbox.messages(sender, id=result.message_id) == ()
    assert failures(ses_backend_for(sender.region))[0]["Kind"] == "syntax"


def test_bulk_send_delivers_the_destinations_that_render(sender: Target) -> None:
    sesbook.put_template(sender, "hi", subject="Hi {{name}}", text="Hello {{name}}")
    results = sesbook.send_bulk_templated(sender, source=SENDER, template="hi", destinations=[
        {"to": "ann@example.net", "data": {"name": "Ann"}}, {"to": "bob@example.net", "data": {}}])
    assert [m.subject for m in mailbox.messages(sender)] == ["Hi Ann"]
    assert [f["MessageId"] for f in failures(ses_backend_for(sender.region))] == [results[1].message_id]


def test_v2_template_errors_over_boto3(target: Target) -> None:
    client = target.sesv2
    client.create_email_template(TemplateName="x", TemplateContent={"Subject": "s", "Text": "t"})
    with pytest.raises(client.exceptions.AlreadyExistsException):
        client.create_email_template(TemplateName="x", TemplateContent={"Subject": "s", "Text": "t"})
    for call in (client.get_email_template, client.delete_email_template):
        with pytest.raises(client.exceptions.NotFoundException):
            call(TemplateName="nope")
    with pytest.raises(client.exceptions.NotFoundException):
        client.update_email_template(TemplateName="nope", TemplateContent={"Subject": "s"})
    with pytest.raises(client.exceptions.BadRequestException):
        client.test_render_email_template(TemplateName="x", TemplateData="not json")


def test_list_email_templates_pages(target: Target) -> None:
    for i in range(3):
        target.sesv2.create_email_template(TemplateName=f"t{i}", TemplateContent={"Subject": "s"})
    first = target.sesv2.list_email_templates(PageSize=2)
    second = target.sesv2.list_email_templates(PageSize=2, NextToken=first["NextToken"])
    assert [t["TemplateName"] for t in first["TemplatesMetadata"] + second["TemplatesMetadata"]] == ["t0", "t1", "t2"]
    assert "NextToken" not in second


def test_reset_forgets_rendering_failures(lab: Any, sender: Target) -> None:
    sesbook.put_template(sender, "hi", subject="Hi {{name}}", text="t")
    sesbook.send_templated(sender, source=SENDER, to="ann@example.net", template="hi")
    assert failures(ses_backend_for(sender.region))
    lab.reset()
    assert failures(ses_backend_for(sender.region)) == []
