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
