"""Public forms (公开表单): the admin pages, and submissions by anonymous visitors —
honeypot, minimum fill time, rate limit, form token, validation errors beside fields, and
the lead created through the record service with the form's fixed source."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from runtime.db import write_transaction
from runtime.records import Actor
from runtime.web import create_app
from runtime.web.views import _public_forms_store as store

FIELDS = ["name", "company_name", "contact_name", "mobile", "email", "notes"]


def _form(web_app: Flask, slug: str = "contact", **overrides: Any) -> store.PublicForm:
    form = store.PublicForm(
        slug=slug,
        table_key="lead",
        title={"zh-CN": "官网咨询", "en": "Contact us"},
        fields=FIELDS,
        fixed_values={"source": "web_form"},
        success_message={"zh-CN": "提交成功，我们会尽快联系您。", "en": "Thanks!"},
        min_seconds=0,
    )
    for key, value in overrides.items():
        setattr(form, key, value)
    state = web_app.extensions["kairos"]
    with write_transaction(state.engine) as conn:
        admin = conn.execute(sa.text("select id from kairos_user where username='admin'")).scalar()
        form.id = store.save_form(
            conn, state.app_key, form, user_id=int(admin), now=datetime.now(UTC)
        )
    return form


def _token(html: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def _leads(web_app: Flask, **where: Any) -> list[dict[str, Any]]:
    service = web_app.extensions["kairos"].service()
    condition = {"all": [{"field": k, "op": "eq", "value": v} for k, v in where.items()]}
    return service.query(Actor.system(), "lead", where=condition, limit=200).rows


def _send(client: Any, slug: str = "contact", **values: str) -> Any:
    page = client.get(f"/f/{slug}")
    assert page.status_code == 200
    data = {"form_token": _token(page.text), "website": "", **values}
    return client.post(f"/f/{slug}", data=data)


GOOD = {
    "name": "官网咨询-华东制造",
    "company_name": "华东精密制造有限公司",
    "contact_name": "陈静",
    "mobile": "13812345678",
    "email": "chen.jing@example.cn",
    "notes": "想了解 CRM 报价",
}


def test_submission_creates_lead_with_fixed_source_as_the_public_form_user(
    web_app: Flask,
) -> None:
    _form(web_app)
    response = _send(web_app.test_client(), **GOOD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/f/contact/thanks")
    [lead] = _leads(web_app, company_name="华东精密制造有限公司")
    assert lead["source"] == "web_form"
    assert lead["status"] == "new"  # the definition's default still applies
    assert lead["mobile"] == "13812345678"
    service = web_app.extensions["kairos"].service()
    [entry] = service.history(Actor.system(), "lead", lead["id"])
    assert entry.channel == "ui"
    assert entry.actor_name == store.FORM_USER_NAME
    assert lead["created_by"] == entry.actor_id == lead["owner_id"]  # service default owner
    thanks = web_app.test_client().get("/f/contact/thanks")
    assert "提交成功，我们会尽快联系您。" in thanks.text


def test_the_public_user_cannot_sign_in_and_is_made_once(web_app: Flask) -> None:
    _form(web_app)
    client = web_app.test_client()
    _send(client, **GOOD)
    _send(client, **{**GOOD, "company_name": "第二家公司", "mobile": "13900001111"})
    with web_app.extensions["kairos"].engine.connect() as conn:
        rows = conn.execute(
            sa.text("select is_active from kairos_user where username = :u"),
            {"u": store.FORM_USERNAME},
        ).all()
    assert [tuple(r) for r in rows] == [(False,)]


def test_honeypot_is_silently_discarded(web_app: Flask) -> None:
    _form(web_app)
    response = _send(web_app.test_client(), **GOOD, website="http://spam.example")
    assert response.status_code == 302  # looks like success to the bot
    assert _leads(web_app, company_name="华东精密制造有限公司") == []


def test_too_fast_submission_is_asked_to_send_again(web_app: Flask) -> None:
    _form(web_app, min_seconds=60)
    response = _send(web_app.test_client(), **GOOD)
    assert response.status_code == 422
    assert 'data-testid="form-errors"' in response.text
    assert "华东精密制造有限公司" in response.text  # what was typed is kept
    assert _leads(web_app, company_name="华东精密制造有限公司") == []


def test_forged_or_foreign_token_is_refused(web_app: Flask) -> None:
    _form(web_app)
    other = _form(web_app, slug="other")
    client = web_app.test_client()
    foreign = _token(client.get("/f/other").text)
    for token in ("forged", foreign):
        response = client.post("/f/contact", data={"form_token": token, **GOOD})
        assert response.status_code == 422
    assert other.id is not None
    assert _leads(web_app, company_name="华东精密制造有限公司") == []


def test_validation_errors_show_beside_their_fields(web_app: Flask) -> None:
    _form(web_app)
    response = _send(
        web_app.test_client(), company_name="某公司", mobile="", email="", notes="只有备注"
    )
    assert response.status_code == 422
    html = response.text
    assert 'data-testid="error-name"' in html  # required
    assert 'data-testid="error-mobile"' in html  # rule: mobile or email
    assert "线索至少需要手机或邮箱之一" in html
    assert "只有备注" in html


def test_rate_limit_per_visitor_gives_429(web_app: Flask) -> None:
    _form(web_app, rate_limit=2)
    client = web_app.test_client()
    assert _send(client, **GOOD).status_code == 302
    assert _send(client, company_name="x").status_code == 422  # failed attempts count too
    limited = _send(client, **{**GOOD, "company_name": "第三家"})
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "3600"
    assert 'data-testid="public-limited"' in limited.text
    other_visitor = web_app.test_client()
    page = other_visitor.get("/f/contact", environ_base={"REMOTE_ADDR": "10.9.8.7"})
    data = {"form_token": _token(page.text), **GOOD, "company_name": "另一位访客"}
    response = other_visitor.post("/f/contact", data=data, environ_base={"REMOTE_ADDR": "10.9.8.7"})
    assert response.status_code == 302


def test_disabled_or_unknown_form_is_404(web_app: Flask) -> None:
    _form(web_app, enabled=False)
    client = web_app.test_client()
    assert client.get("/f/contact").status_code == 404
    assert client.get("/f/nothing-here").status_code == 404


def test_public_page_renders_only_the_chosen_fields_and_the_trap(web_app: Flask) -> None:
    _form(web_app, fields=["name", "company_name", "mobile", "email", "region"])
    html = web_app.test_client().get("/f/contact", headers={"Accept-Language": "en"}).text
    assert '<meta charset="utf-8">' in html
    assert "Contact us" in html
    for key in ("name", "company_name", "mobile", "email", "region"):
        assert f'name="{key}"' in html
    assert 'name="notes"' not in html and 'name="source"' not in html
    assert "East China" in html  # options labelled in the visitor's language
    assert 'name="website"' in html and 'tabindex="-1"' in html


def test_public_post_works_without_a_session_csrf_token(sample: str, tmp_path: Any) -> None:
    """The form is embedded in other sites' iframes, where the session cookie is not sent:
    its own signed token protects it, while admin pages keep the session CSRF check."""
    app = create_app({"DATABASE_URL": sample, "SECRET_KEY": "csrf-on", "FILES_DIR": str(tmp_path)})
    try:
        _form(app)
        response = _send(app.test_client(), **GOOD)
        assert response.status_code == 302
        admin_post = app.test_client().post("/admin/public-forms/new", data={"slug": "x"})
        assert admin_post.status_code in (302, 400)  # login redirect or CSRF refusal
    finally:
        app.extensions["kairos"].engine.dispose()


# --- admin ------------------------------------------------------------------------------
SETTINGS = {
    "title_zh": "官网咨询",
    "title_en": "Contact us",
    "slug": "Website-Contact",
    "table": "lead",
    "fields": FIELDS,
    "fixed_field": ["source", "utm_campaign", ""],
    "fixed_value": ["官网咨询", "2026 春季官网", ""],
    "success_zh": "提交成功",
    "success_en": "Thank you",
    "enabled": "1",
    "rate_limit": "5",
    "min_seconds": "3",
}


def test_admin_creates_a_form_and_sees_the_embed_snippet(login: Any, web_app: Flask) -> None:
    client = login("admin")
    assert 'data-testid="public-forms-table"' not in client.get("/admin/public-forms").text
    response = client.post("/admin/public-forms/new", data=SETTINGS)
    assert response.status_code == 302, response.text
    page = client.get(response.headers["Location"])
    assert 'data-testid="embed-code"' in page.text
    assert '&lt;iframe src="http://localhost/f/website-contact"' in page.text
    state = web_app.extensions["kairos"]
    with state.engine.connect() as conn:
        form = store.get_form(conn, state.app_key, slug="website-contact")
    assert form is not None
    assert form.fixed_values == {"source": "web_form", "utm_campaign": "2026 春季官网"}
    assert form.fields == FIELDS and form.rate_limit == 5 and form.min_seconds == 3
    listing = client.get("/admin/public-forms").text
    assert "/f/website-contact" in listing and "线索" in listing


def test_admin_form_checks_required_fields_slug_and_fixed_values(login: Any) -> None:
    client = login("admin")
    data = {**SETTINGS, "slug": "x", "fixed_field": ["score"], "fixed_value": ["很多"]}
    response = client.post("/admin/public-forms/new", data=data)
    assert response.status_code == 422
    html = response.text
    assert 'data-testid="error-slug"' in html
    assert 'data-testid="error-fixed"' in html  # 很多 is not a number
    assert "线索来源" in html  # required source: neither on the form nor fixed
    on_both = {**SETTINGS, "fixed_field": ["source", "name"], "fixed_value": ["官网咨询", "n"]}
    assert 'data-testid="error-fixed"' in client.post("/admin/public-forms/new", data=on_both).text


def test_admin_slug_must_be_unique(login: Any, web_app: Flask) -> None:
    _form(web_app, slug="website-contact")
    response = login("admin").post("/admin/public-forms/new", data=SETTINGS)
    assert response.status_code == 422
    assert 'data-testid="error-slug"' in response.text


@pytest.mark.parametrize("user", ["zhang.wei", "sun.ming"])
def test_only_administrators_manage_public_forms(login: Any, user: str) -> None:
    client = login(user)
    assert client.get("/admin/public-forms").status_code == 403
    assert client.post("/admin/public-forms/new", data=SETTINGS).status_code == 403


def test_admin_deletes_a_form(login: Any, web_app: Flask) -> None:
    form = _form(web_app)
    client = login("admin")
    _send(web_app.test_client(), **GOOD)  # its submission log goes with it
    assert client.post(f"/admin/public-forms/{form.id}/delete").status_code == 302
    assert web_app.test_client().get("/f/contact").status_code == 404
