"""The README's run command, end to end on a small scale: publish, organisation, reference
data, demo data through the record service, and a summary an operator can read."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from click.testing import CliRunner

from runtime.cli import main


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_quickstart_sets_up_the_sample_app_and_prints_the_admin_login(
    database_url: str, engine: sa.Engine
) -> None:
    code, out = run("quickstart", "--opportunities", "40", "--database", database_url)
    assert code == 0, out
    assert "Published app" in out
    login = re.search(r"Admin login: admin / (\S+)", out)
    assert login, out
    assert "Pipeline by stage:" in out
    with engine.connect() as conn:
        opportunities = conn.execute(
            sa.text("select count(*) from opportunity__opportunity")
        ).scalar()
        audited = conn.execute(
            sa.text("select count(*) from kairos_audit where table_key = 'opportunity'")
        ).scalar()
    assert opportunities == 40
    assert audited == 40  # demo data went through the record service, audit included

    code, again = run("quickstart", "--opportunities", "40", "--database", database_url)
    assert code == 0, again
    assert "Admin login: admin (" in again  # the password is only printed once
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from opportunity__opportunity")).scalar() == 40


def test_a_sales_rep_sees_only_their_own_opportunities(
    database_url: str, engine: sa.Engine
) -> None:
    assert run("quickstart", "--opportunities", "60", "--database", database_url)[0] == 0
    with engine.connect() as conn:
        rep, username = conn.execute(
            sa.text(
                "select u.id, u.username from kairos_user u"
                " join kairos_role_member m on m.user_id = u.id and m.role_key = 'sales_rep'"
                " where exists (select 1 from opportunity__opportunity o where o.owner_id = u.id)"
                " order by u.id limit 1"
            )
        ).one()
    code, everything = run(
        "records", "query", "opportunity", "--json", "--limit", "500", "--database", database_url
    )
    assert code == 0, everything
    all_rows = [json.loads(line) for line in everything.splitlines()]
    code, mine = run(
        "records",
        "query",
        "opportunity",
        "--json",
        "--limit",
        "500",
        "--as",
        username,
        "--database",
        database_url,
    )
    assert code == 0, mine
    rows = [json.loads(line) for line in mine.splitlines()]
    assert rows
    assert {row["owner_id"] for row in rows} == {rep}
    assert len(rows) == sum(1 for row in all_rows if row["owner_id"] == rep) < len(all_rows)


def test_history_shows_the_audit_trail_of_a_record(database_url: str) -> None:
    assert run("quickstart", "--opportunities", "10", "--database", database_url)[0] == 0
    code, out = run("records", "history", "customer", "1", "--database", database_url)
    assert code == 0, out
    assert "create" in out
