"""Comments with @mentions, followers and notifications from record changes."""

from __future__ import annotations

from runtime import org
from tests.runtime.web.conftest import user_id


def _mine(web_app, engine, name):  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        actor = org.load_actor(conn, user_id(engine, name), "opportunity")
    service = web_app.extensions["kairos"].service()
    return service, actor, service.query(actor, "opportunity", limit=1).rows[0]


def test_comment_with_mention_notifies_the_mentioned_user(web_app, engine, login) -> None:
    _service, _actor, record = _mine(web_app, engine, "zhao.min")
    client = login("zhao.min")
    response = client.post(
        f"/t/opportunity/{record['id']}/comments",
        data={"body": "请 @sun.ming 帮忙看下合同 <script>alert(1)</script>"},
    )
    assert response.status_code == 302
    page = client.get(f"/t/opportunity/{record['id']}")
    assert 'class="mention"' in page.text
    assert "<script>alert(1)" not in page.text
    inbox = login("sun.ming").get("/me/notifications")
    assert "在此提及了你" in inbox.text
    assert 'data-testid="unread-count">1<' in inbox.text
    assert "帮忙看下合同" in inbox.text


def test_empty_comment_is_refused(web_app, engine, login) -> None:
    _service, _actor, record = _mine(web_app, engine, "zhao.min")
    client = login("zhao.min")
    client.post(f"/t/opportunity/{record['id']}/comments", data={"body": "  "})
    assert "请填写评论或添加附件" in client.get(f"/t/opportunity/{record['id']}").text


def test_follower_is_notified_when_the_record_changes(web_app, engine, login) -> None:
    service, actor, record = _mine(web_app, engine, "zhao.min")
    manager = login("sun.ming")
    manager.get("/me")  # the consumer starts at the newest event
    assert manager.post(f"/t/opportunity/{record['id']}/follow").status_code == 302
    service.update(actor, "opportunity", record["id"], {"next_step": "发送最终报价"})
    page = manager.get("/me/notifications")
    assert 'data-testid="notification"' in page.text
    assert "下一步" in page.text  # the changed field's label
    manager.post("/me/notifications/read")
    assert 'data-testid="unread-count"' not in manager.get("/me/notifications").text


def test_comment_attachment_downloads_for_readers_only(web_app, engine, login) -> None:
    from io import BytesIO

    _service, _actor, record = _mine(web_app, engine, "zhao.min")
    client = login("zhao.min")
    client.post(
        f"/t/opportunity/{record['id']}/comments",
        data={"body": "方案见附件", "files": (BytesIO(b"hello"), "plan.txt")},
        content_type="multipart/form-data",
    )
    page = client.get(f"/t/opportunity/{record['id']}").text
    link = page.split('href="/comment-files/')[1].split('"')[0]
    assert client.get(f"/comment-files/{link}").data == b"hello"
    assert login("xu.qiang").get(f"/comment-files/{link}").status_code == 404


def _speaks_english(engine, name):  # type: ignore[no-untyped-def]
    """The account's language wins over the session's, so switch the account."""
    with engine.begin() as conn:
        conn.execute(org.USER.update().where(org.USER.c.username == name).values(locale="en"))


def _notification_texts(engine, name):  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from runtime.web.views._collab_store import NOTIFICATION

    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(NOTIFICATION.c.kind, NOTIFICATION.c.text).where(
                NOTIFICATION.c.user_id == user_id(engine, name)
            )
        ).all()
    return [(r.kind, r.text) for r in rows]


def test_mentioned_user_who_cannot_read_the_record_is_not_notified(web_app, engine, login) -> None:
    _service, _actor, record = _mine(web_app, engine, "zhao.min")
    with engine.connect() as conn:
        outsider = org.load_actor(conn, user_id(engine, "xu.qiang"), "opportunity")
        outsider_name = org.display_names(conn, [outsider.user_id])[outsider.user_id]
    client = login("zhao.min")
    client.post(
        f"/t/opportunity/{record['id']}/comments",
        data={"body": "@xu.qiang @sun.ming 底价是八折，保密"},
    )
    page = client.get(f"/t/opportunity/{record['id']}").text
    assert "无权查看此记录，未通知" in page and outsider_name in page
    assert _notification_texts(engine, "xu.qiang") == []  # no excerpt leaks
    assert ("mention", "@xu.qiang @sun.ming 底价是八折，保密") in _notification_texts(
        engine, "sun.ming"
    )
    _speaks_english(engine, "zhao.min")
    english = login("zhao.min", "en")
    english.post(f"/t/opportunity/{record['id']}/comments", data={"body": "cc @xu.qiang"})
    assert (
        "Not notified because they cannot see this record"
        in english.get(f"/t/opportunity/{record['id']}").text
    )


def test_mentions_work_inside_chinese_text_without_spaces() -> None:
    from runtime.web.views._collab_comments import MENTION

    def names(text: str) -> list[str]:
        return [m.group(1) for m in MENTION.finditer(text)]

    assert names("请@lin.feng看一下") == ["lin.feng"]
    assert names("请@lin.feng。谢谢@he.jun") == ["lin.feng", "he.jun"]
    assert names("@sun.ming 你好") == ["sun.ming"]
    assert names("发邮件到 li.na@example.com") == []  # an e-mail address is no mention
    assert names("cc @a.") == ["a"]


def test_chinese_mention_without_spaces_notifies(web_app, engine, login) -> None:
    _service, _actor, record = _mine(web_app, engine, "zhao.min")
    login("zhao.min").post(
        f"/t/opportunity/{record['id']}/comments", data={"body": "请@sun.ming看一下报价"}
    )
    assert ("mention", "请@sun.ming看一下报价") in _notification_texts(engine, "sun.ming")


def test_mention_suggestions_match_chinese_display_names(web_app, engine, login) -> None:
    with engine.connect() as conn:
        name = org.display_names(conn, [user_id(engine, "lin.feng")])[user_id(engine, "lin.feng")]
    found = login("zhao.min").get("/collab/users", query_string={"q": name[:1]}).get_json()
    assert "lin.feng" in [u["username"] for u in found]


def test_deleted_and_restored_notifications_are_worded_in_the_readers_language(
    web_app, engine, login
) -> None:
    service = web_app.extensions["kairos"].service()
    with engine.connect() as conn:
        admin = org.load_actor(conn, user_id(engine, "admin"), "opportunity")
    record = service.query(admin, "follow_up", limit=1).rows[0]
    manager = login("sun.ming")
    manager.get("/me")  # the consumer starts at the newest event
    assert manager.post(f"/t/follow_up/{record['id']}/follow").status_code == 302
    service.delete(admin, "follow_up", record["id"])
    service.restore(admin, "follow_up", record["id"])
    page = manager.get("/me/notifications").text
    assert "删除了" in page and "恢复了" in page
    assert ">deleted<" not in page and "restored" not in page
    kinds = [kind for kind, _text in _notification_texts(engine, "sun.ming")]
    assert "deleted" in kinds and "restored" in kinds
    _speaks_english(engine, "sun.ming")
    english = login("sun.ming", "en").get("/me/notifications").text
    assert "deleted" in english and "restored" in english


def test_workspace_pages_show_one_notification_bell(login) -> None:
    client = login("sun.ming")
    for url in ("/me", "/me/notifications"):
        assert client.get(url).text.count('data-testid="notification-bell"') == 1


def test_related_record_the_reader_cannot_see_shows_a_placeholder(web_app, engine) -> None:
    from runtime.web.views._collab_display import Displayer

    service, _actor, record = _mine(web_app, engine, "zhao.min")
    with engine.connect() as conn:
        outsider = org.load_actor(conn, user_id(engine, "xu.qiang"), "opportunity")
    for locale, text in (("zh-CN", "（无权查看）"), ("en", "(not visible to you)")):
        with web_app.test_request_context("/", headers={"Accept-Language": locale}):
            display = Displayer(service, outsider, locale)
            display.load_titles("opportunity", [record["id"]])
            shown = display.record_link("opportunity", record["id"])
        assert shown.text == text and shown.href is None
