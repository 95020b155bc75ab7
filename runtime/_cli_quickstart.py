"""``kairos quickstart``: a working sample in one command (the README's run command).

Creates the embedded database, publishes the opportunity app, creates a small sales
organisation with an administrator, loads reference and demo data, and prints what it did
and how to log in. Running it again keeps existing data and users.
"""

from __future__ import annotations

import click
import sqlalchemy as sa

from builder.model import load_app
from runtime import org
from runtime._cli_common import (
    SAMPLE_APP,
    database_option,
    locale_option,
    open_database,
    pad,
    say,
)
from runtime._cli_data import load_demo_data, seed_app
from runtime.accounts import set_password
from runtime.apps import open_app
from runtime.db import read_transaction, write_transaction
from runtime.passwords import generate_password
from runtime.publish import publish
from runtime.records import Actor
from schemas.spec import localize

TEAMS = ("华东销售组", "华南销售组", "华北销售组", "西南销售组")
REPS = (
    ("zhang.wei", "张伟"),
    ("wang.fang", "王芳"),
    ("li.na", "李娜"),
    ("liu.yang", "刘洋"),
    ("chen.jing", "陈静"),
    ("yang.lei", "杨磊"),
    ("zhao.min", "赵敏"),
    ("huang.tao", "黄涛"),
    ("zhou.jie", "周杰"),
    ("wu.xia", "吴霞"),
    ("xu.qiang", "徐强"),
    ("sun.li", "孙丽"),
    ("ma.chao", "马超"),
    ("zhu.hong", "朱红"),
    ("hu.bin", "胡斌"),
)
MANAGERS = (("lin.feng", "林峰"), ("guo.hui", "郭慧"), ("he.jun", "何军"), ("gao.yan", "高燕"))


def create_organisation(conn: sa.Connection, app_key: str, admin_password: str) -> None:
    """Admin (id 1) and twenty sales users (ids 2–21, as the demo generator expects): a
    director, a manager per team and fifteen reps, in a 总部 → 销售部 → team tree."""
    head_office = org.create_department(conn, "总部")
    sales = org.create_department(conn, "销售部", head_office)
    admin = org.create_user(conn, "admin", "系统管理员", head_office, is_admin=True)
    set_password(conn, admin, admin_password)
    director = org.create_user(conn, "sun.ming", "孙明", sales)
    org.assign_role(conn, director, app_key, "sales_director")
    teams = [org.create_department(conn, name, sales) for name in TEAMS]
    for team, (username, name) in zip(teams, MANAGERS, strict=True):
        manager = org.create_user(conn, username, name, team, manager_id=director)
        org.assign_role(conn, manager, app_key, "sales_manager")
        conn.execute(
            org.DEPARTMENT.update().where(org.DEPARTMENT.c.id == team).values(head_user_id=manager)
        )
    for index, (username, name) in enumerate(REPS):
        team = teams[index % len(teams)]
        rep = org.create_user(conn, username, name, team)
        org.assign_role(conn, rep, app_key, "sales_rep")


@click.command("quickstart")
@click.option(
    "--opportunities",
    "n",
    type=click.IntRange(0, 5_000_000),
    default=2000,
    show_default=True,
    help="Demo opportunities to generate on first run.",
)
@click.option("--serve", is_flag=True, help="Start the web app afterwards.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@database_option
@locale_option
def quickstart_command(
    n: int, serve: bool, port: int, database_url: str | None, locale: str
) -> None:
    """Set up the sample opportunity app with demo data and print the admin login."""
    result = load_app(SAMPLE_APP)
    if result.spec is None:
        for problem in result.problems:
            click.echo(problem.render(locale), err=True)
        raise click.ClickException("the sample app definition is invalid")
    engine = open_database(database_url)
    app_key = result.spec.key
    try:
        outcome = publish(engine, result.spec, result.document)
        click.echo(
            say(
                locale,
                "✓ 已发布应用“{a}”版本 {v}（{t} 张表）",
                "✓ Published app {a!r} version {v} ({t} tables)",
                a=localize(result.spec.name, locale),
                v=outcome.version_no,
                t=len(result.spec.tables),
            )
        )
        admin_password = None
        with write_transaction(engine) as conn:
            if not org.list_users(conn):
                admin_password = generate_password()
                create_organisation(conn, app_key, admin_password)
                click.echo(
                    say(
                        locale,
                        "✓ 已创建组织：4 个销售组，21 个用户",
                        "✓ Created the organisation: 4 sales teams, 21 users",
                    )
                )
        service = open_app(engine, app_key)
        seeded = seed_app(service, SAMPLE_APP / "seed")
        click.echo(
            say(
                locale,
                "✓ 参考数据：新建 {c} 条，已有 {u} 条",
                "✓ Reference data: {c} created, {u} already there",
                c=sum(seeded.created.values()),
                u=sum(seeded.updated.values()),
            )
        )
        system = Actor.system()
        if n and service.count(system, "opportunity") == 0:
            written = load_demo_data(service, app_key, n, seeded.ids, locale)
            click.echo(
                say(
                    locale,
                    "✓ 演示数据：{r:,} 行，其中商机 {n:,} 个",
                    "✓ Demo data: {r:,} rows including {n:,} opportunities",
                    r=sum(written.values()),
                    n=n,
                )
            )
        summary(service, system, locale)
        if admin_password is None:
            with read_transaction(engine) as conn:
                admin_exists = conn.execute(
                    sa.select(org.USER.c.id).where(org.USER.c.username == "admin")
                ).first()
            hint = say(
                locale,
                "（密码在首次运行时打印；忘记了请运行 kairos user set-password admin）",
                " (printed on the first run; forgot it? kairos user set-password admin)",
            )
            login = f"admin{hint}" if admin_exists else "-"
        else:
            login = f"admin / {admin_password}"
    finally:
        engine.dispose()
    click.echo("")
    click.echo(say(locale, "管理员登录：{l}", "Admin login: {l}", l=login))
    click.echo(say(locale, "数据库：{u}", "Database: {u}", u=engine.url.render_as_string()))
    click.echo(
        say(
            locale,
            "命令行里也可以试试：\n"
            "  kairos records query opportunity --as zhang.wei   # 销售代表只看到自己的商机\n"
            "  kairos records history opportunity 1",
            "From the command line, try:\n"
            "  kairos records query opportunity --as zhang.wei   # a rep sees only own deals\n"
            "  kairos records history opportunity 1",
        )
    )
    if serve:
        from runtime._cli_serve import serve as serve_web

        serve_web(database_url, "127.0.0.1", port, threads=8)


def summary(service, actor: Actor, locale: str) -> None:  # type: ignore[no-untyped-def]
    """Counts per main table and the pipeline by stage, computed through the service."""
    app = service.tables.app
    for key in ("customer", "contact", "opportunity", "follow_up", "task", "quote", "contract"):
        if app.has_table(key):
            label = localize(app.table(key).label, locale)
            click.echo(f"  {pad(label, 12)} {service.count(actor, key):>10,}")
    stages = {
        r["id"]: r["name"]
        for r in service.query(
            actor, "pipeline_stage", order_by=[("sequence", "asc")], limit=50
        ).rows
    }
    click.echo(say(locale, "销售漏斗（按阶段）：", "Pipeline by stage:"))
    groups = service.aggregate(
        actor, "opportunity", group_by=["stage"], measures=[("count", None), ("sum", "amount")]
    )
    for group in groups:
        name = stages.get(group["stage"], group["stage"])
        amount = float(group.get("sum_amount") or 0)
        click.echo(f"  {pad(str(name), 12)} {group['count']:>8,}  ¥{amount:>18,.2f}")
