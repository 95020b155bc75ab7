"""Users, departments and reference data from the command line."""

from __future__ import annotations

import sqlalchemy as sa
from click.testing import CliRunner

from runtime import org
from runtime._cli_common import SAMPLE_APP
from runtime.accounts import check_password
from runtime.cli import main


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_users_are_created_with_a_password_roles_and_department(
    database_url: str, engine: sa.Engine
) -> None:
    code, out = run("department", "create", "销售部", "--database", database_url)
    assert code == 0, out
    department = int(out.strip())
    code, out = run(
        "user",
        "create",
        "zhang.wei",
        "--name",
        "张伟",
        "--department",
        str(department),
        "--role",
        "sales_rep",
        "--password",
        "s3cret-商机",
        "--database",
        database_url,
    )
    assert code == 0, out
    assert "zhang.wei" in out
    with engine.connect() as conn:
        user_id = check_password(conn, "zhang.wei", "s3cret-商机")
        assert user_id is not None
        assert check_password(conn, "zhang.wei", "wrong") is None
        assert org.user_roles(conn, user_id, "opportunity") == {"sales_rep"}
    code, out = run("user", "list", "--database", database_url)
    assert "张伟" in out and "销售部" in out and "opportunity:sales_rep" in out


def test_a_taken_username_or_missing_department_is_a_clear_error(database_url: str) -> None:
    assert run("user", "create", "li.na", "--database", database_url)[0] == 0
    code, out = run("user", "create", "li.na", "--database", database_url)
    assert code == 1 and "is taken" in out
    code, out = run(
        "user",
        "create",
        "wang.fang",
        "--department",
        "999",
        "--database",
        database_url,
        "--locale",
        "zh-CN",
    )
    assert code == 1 and "部门 999 不存在" in out


def test_set_password_replaces_the_old_one(database_url: str, engine: sa.Engine) -> None:
    run("user", "create", "chen.jing", "--password", "old-pass", "--database", database_url)
    code, out = run(
        "user", "set-password", "chen.jing", "--password", "new-pass", "--database", database_url
    )
    assert code == 0, out
    with engine.connect() as conn:
        assert check_password(conn, "chen.jing", "new-pass") is not None
        assert check_password(conn, "chen.jing", "old-pass") is None
    assert run("user", "set-password", "nobody", "--database", database_url)[0] == 1


def test_seed_needs_a_published_app_then_loads_once(database_url: str) -> None:
    assert run("user", "create", "someone", "--database", database_url)[0] == 0
    code, out = run("seed", "--database", database_url)
    assert code == 1 and "not published" in out
    assert run("app", "publish", str(SAMPLE_APP), "--database", database_url)[0] == 0
    code, out = run("seed", "--database", database_url)
    assert code == 0, out
    assert "0 updated" in out
    code, again = run("seed", "--database", database_url)
    assert code == 0 and "0 created" in again


def test_records_query_reports_unknown_tables_and_bad_conditions(database_url: str) -> None:
    run("app", "publish", str(SAMPLE_APP), "--database", database_url)
    code, out = run("records", "query", "nope", "--database", database_url)
    assert code == 1 and "No table 'nope'" in out
    code, out = run("records", "query", "customer", "--where", "{bad", "--database", database_url)
    assert code == 1 and "--where" in out
    code, out = run(
        "records",
        "query",
        "customer",
        "--where",
        '{"field": "nmae", "op": "eq", "value": "x"}',
        "--database",
        database_url,
    )
    assert code == 1 and "Traceback" not in out


def test_read_commands_do_not_create_a_missing_embedded_database(tmp_path) -> None:
    missing = tmp_path / "nothing-here.db"
    code, out = run("records", "query", "customer", "--database", f"sqlite:///{missing}")
    assert code == 1 and "No database at" in out
    assert not missing.exists()


def test_a_bad_database_url_is_a_clear_error() -> None:
    code, out = run("user", "list", "--database", "notaurl")
    assert code == 1 and "is not a database URL" in out and "Traceback" not in out
