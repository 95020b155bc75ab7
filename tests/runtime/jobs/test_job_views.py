"""The job pages: JSON status for progress bars, the HTML page, cancel and file download,
visible only to the job's user and administrators."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from runtime.jobs import JobContext, get_job, register, run_pending, submit
from tests.runtime.web.conftest import user_id

JSON = {"Accept": "application/json"}
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.fixture
def export_job(web_app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("KAIROS_HOME", str(tmp_path / "home"))

    def export(ctx: JobContext, payload: dict[str, Any]) -> dict[str, Any]:
        ctx.progress(2, 4, "已导出 2 行")
        ctx.progress(4, 4, "导出完成")
        return {"file": ctx.save_file("商机导出.csv", payload["text"].encode())}

    register("test.export", export, label={"zh-CN": "导出商机", "en": "Export opportunities"})
    engine = web_app.extensions["kairos"].engine
    owner = user_id(engine, "zhang.wei")
    return submit(
        engine,
        kind="test.export",
        payload={"text": "名称\n华东项目\n"},
        app_key="opportunity",
        user_id=owner,
    )


def test_the_test_app_starts_no_worker_threads(web_app: Flask) -> None:
    assert web_app.extensions["kairos_jobs"] is None


def test_status_json_follows_the_job_to_its_file(
    web_app: Flask, export_job: int, login: Callable[..., FlaskClient]
) -> None:
    client = login("zhang.wei")
    queued = client.get(f"/jobs/{export_job}", headers=JSON).get_json()
    assert (queued["status"], queued["finished"], queued["percent"]) == ("queued", False, None)
    run_pending(web_app.extensions["kairos"].engine)
    done = client.get(f"/jobs/{export_job}").get_json()  # fetch() sends Accept: */*
    assert (done["status"], done["done"], done["total"], done["percent"]) == (
        "succeeded",
        4,
        4,
        100,
    )
    assert done["message"] == "导出完成" and done["result"] == {"file": "商机导出.csv"}
    assert "payload" not in done
    [file] = done["files"]
    download = client.get(file["url"])
    assert download.status_code == 200
    assert download.data.decode() == "名称\n华东项目\n"
    assert "attachment" in download.headers["Content-Disposition"]
    download.close()
    assert client.get(f"/jobs/{export_job}/files/..%2Fsecret_key").status_code == 404
    assert client.get(f"/jobs/{export_job}/files/missing.csv").status_code == 404


def test_other_users_cannot_see_a_job_but_admins_can(
    web_app: Flask, export_job: int, login: Callable[..., FlaskClient]
) -> None:
    run_pending(web_app.extensions["kairos"].engine)
    other = login("wang.fang")
    assert other.get(f"/jobs/{export_job}", headers=JSON).status_code == 404
    assert other.get(f"/jobs/{export_job}/files/商机导出.csv").status_code == 404
    assert login("admin").get(f"/jobs/{export_job}", headers=JSON).status_code == 200
    anonymous = web_app.test_client()
    assert anonymous.get(f"/jobs/{export_job}", headers=JSON).status_code == 401
    assert anonymous.get(f"/jobs/{export_job}", headers=HTML).status_code == 302
    assert login("zhang.wei").get("/jobs/999999", headers=JSON).status_code == 404


def test_the_job_page_shows_progress_and_can_cancel(
    web_app: Flask, export_job: int, login: Callable[..., FlaskClient]
) -> None:
    client = login("zhang.wei")
    page = client.get(f"/jobs/{export_job}", headers=HTML)
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert (
        "后台任务" in text
        and "导出商机" in text
        and "等待开始" in text
        and 'hx-trigger="every 1s"' in text
    )
    cancelled = client.post(f"/jobs/{export_job}/cancel", headers=JSON).get_json()
    assert cancelled == {"id": export_job, "status": "cancelled"}
    assert run_pending(web_app.extensions["kairos"].engine) == 0
    fragment = client.get(f"/jobs/{export_job}/progress").get_data(as_text=True)
    assert "已取消" in fragment and "every 1s" not in fragment
    assert get_job(web_app.extensions["kairos"].engine, export_job)["status"] == "cancelled"
