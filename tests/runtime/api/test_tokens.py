"""API tokens: format, hashing, scope checks, revoke, expiry, last-use throttling, the
rate limiter and the ``kairos token`` commands."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import click
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from runtime import org
from runtime._cli_tokens import token_group
from runtime.api import tokens
from runtime.api.ratelimit import RateLimiter
from runtime.db import create_engine, read_transaction, write_transaction
from runtime.storage.system import ensure_system_tables

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
KNOWN = ["customer", "opportunity"]


@pytest.fixture
def owner(engine: sa.Engine) -> int:
    ensure_system_tables(engine)
    tokens.ensure_token_table(engine)
    with write_transaction(engine) as conn:
        return org.create_user(conn, "zhang.wei", "张伟")


def _make(engine: sa.Engine, owner: int, **options: object) -> tuple[str, tokens.TokenInfo]:
    values = {"tables": ["*"], "access": "read", "now": NOW, **options}
    with write_transaction(engine) as conn:
        return tokens.create_token(
            conn, user_id=owner, app_key="opportunity", name="ERP 同步", known_tables=KNOWN,
            **values,  # type: ignore[arg-type]
        )  # fmt: skip


def test_a_token_is_kai_plus_43_url_safe_chars_and_only_its_hash_is_stored(
    engine: sa.Engine, owner: int
) -> None:
    secret, info = _make(engine, owner)
    assert re.fullmatch(r"kai_[A-Za-z0-9_-]{43}", secret)
    assert info.prefix == secret[:12]
    with engine.connect() as conn:
        row = conn.execute(sa.select(tokens.TOKEN)).mappings().one()
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {str(v) for v in row.values()}
    assert row["tables"] == ["*"] and row["access"] == "read" and row["last_used_at"] is None


def test_authenticate_finds_the_live_token_and_refuses_everything_else(
    engine: sa.Engine, owner: int
) -> None:
    secret, info = _make(engine, owner)
    with read_transaction(engine) as conn:
        assert tokens.authenticate(conn, secret, NOW) == info
        assert (
            tokens.authenticate(conn, secret[:-1] + ("A" if secret[-1] != "A" else "B"), NOW)
            is None
        )
        for junk in ("", "kai_", "kai_short", secret + "x", "Bearer " + secret, "kai_" + "é" * 43,
                     "kai_" + "\x00" * 43):  # fmt: skip
            assert tokens.authenticate(conn, junk, NOW) is None


def test_revoked_and_expired_tokens_authenticate_nobody(engine: sa.Engine, owner: int) -> None:
    revoked, info = _make(engine, owner)
    expiring, _ = _make(engine, owner, expires_at=NOW + timedelta(days=1))
    with write_transaction(engine) as conn:
        assert tokens.revoke_token(conn, info.id, now=NOW) is True
        assert tokens.revoke_token(conn, info.id, now=NOW) is False  # already revoked
        assert tokens.revoke_token(conn, 2**70) is False  # no overflow on PostgreSQL
    with read_transaction(engine) as conn:
        assert tokens.authenticate(conn, revoked, NOW) is None
        assert tokens.authenticate(conn, expiring, NOW) is not None
        assert tokens.authenticate(conn, expiring, NOW + timedelta(days=1)) is None


def test_revoking_someone_elses_token_with_user_id_does_nothing(
    engine: sa.Engine, owner: int
) -> None:
    _secret, info = _make(engine, owner)
    with write_transaction(engine) as conn:
        other = org.create_user(conn, "wang.fang", "王芳")
        assert tokens.revoke_token(conn, info.id, user_id=other) is False
        assert tokens.revoke_token(conn, info.id, user_id=owner) is True


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"access": "admin"}, "bad_access"),
        ({"tables": []}, "no_tables"),
        ({"tables": "customer"}, "no_tables"),
        ({"tables": ["customer", "secret_table"]}, "unknown_table"),
        ({"name": "  "}, "bad_name"),
        ({"name": "x" * 101}, "bad_name"),
        ({"expires_at": NOW - timedelta(seconds=1)}, "expired"),
    ],
)
def test_bad_token_requests_are_refused(
    engine: sa.Engine, owner: int, options: dict[str, object], code: str
) -> None:
    with pytest.raises(tokens.TokenError) as caught, write_transaction(engine) as conn:
        tokens.create_token(
            conn, user_id=owner, app_key="opportunity", known_tables=KNOWN, now=NOW,
            **{"name": "n", "tables": ["*"], "access": "read", **options},  # type: ignore[arg-type]
        )  # fmt: skip
    assert caught.value.code == code


def test_scope_keeps_distinct_tables_and_star_means_all(engine: sa.Engine, owner: int) -> None:
    _s, some = _make(engine, owner, tables=["customer", "customer", "opportunity"])
    _s, every = _make(engine, owner, tables=["customer", "*"])
    assert some.tables == ("customer", "opportunity") and not some.all_tables
    assert some.covers("customer") and not some.covers("lead")
    assert every.tables == ("*",) and every.covers("lead")


def test_last_used_is_written_at_most_once_a_minute(engine: sa.Engine, owner: int) -> None:
    _secret, info = _make(engine, owner)
    with write_transaction(engine) as conn:
        assert tokens.touch(conn, info, NOW) is True
    stored = _reload(engine, info.id)
    assert stored.last_used_at == NOW
    with write_transaction(engine) as conn:
        assert tokens.touch(conn, stored, NOW + timedelta(seconds=30)) is False
        # A stale copy (another request read the token before the first write): the
        # guard in the UPDATE still refuses.
        assert tokens.touch(conn, info, NOW + timedelta(seconds=30)) is False
        assert tokens.touch(conn, stored, NOW + timedelta(seconds=61)) is True
    assert _reload(engine, info.id).last_used_at == NOW + timedelta(seconds=61)


def _reload(engine: sa.Engine, token_id: int) -> tokens.TokenInfo:
    with read_transaction(engine) as conn:
        found = tokens.get_token(conn, token_id)
    assert found is not None
    return found


def test_rate_limiter_slides_its_window() -> None:
    clock = [100.0]
    limiter = RateLimiter(3, 60.0, clock=lambda: clock[0])
    for moment in (100.0, 110.0, 120.0):
        clock[0] = moment
        assert limiter.hit(1)[0] is True
    assert limiter.hit(1) == (False, 0, 40)  # the 100.0 hit leaves the window at 160.0
    assert limiter.hit(2) == (True, 2, 0)  # counted per token
    clock[0] = 160.0
    assert limiter.hit(1) == (True, 0, 0)  # one slot freed, taken at once
    assert limiter.hit(1) == (False, 0, 10)
    with pytest.raises(ValueError):
        RateLimiter(0)


# --- the CLI ---------------------------------------------------------------------------


def _cli(database_url: str, *args: str) -> click.testing.Result:
    return CliRunner().invoke(token_group, [*args, "--database", database_url])


def test_token_commands_create_list_and_revoke(shared_database: str) -> None:
    sample = shared_database
    created = _cli(sample, "create", "zhang.wei", "--name", "ERP", "--tables",
                   "customer,opportunity", "--access", "write", "--expires-days", "30")  # fmt: skip
    assert created.exit_code == 0, created.output
    secret = created.output.strip().splitlines()[-1]
    assert re.fullmatch(r"kai_[A-Za-z0-9_-]{43}", secret)
    listed = _cli(sample, "list", "--user", "zhang.wei")
    assert listed.exit_code == 0 and secret[:12] in listed.output and secret not in listed.output
    assert "customer,opportunity" in listed.output and "active" in listed.output
    engine = create_engine(sample)
    with engine.connect() as conn:
        token_id = conn.execute(
            sa.select(tokens.TOKEN.c.id).where(tokens.TOKEN.c.prefix == secret[:12])
        ).scalar_one()
    engine.dispose()
    revoked = _cli(sample, "revoke", str(token_id))
    assert revoked.exit_code == 0, revoked.output
    assert "revoked" in _cli(sample, "list").output
    again = _cli(sample, "revoke", str(token_id))
    assert again.exit_code != 0 and "No live token" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "nobody", "--name", "x"], "No user named 'nobody'"),
        (["create", "zhang.wei", "--name", "x", "--tables", "secret"], "no table 'secret'"),
        (["create", "zhang.wei", "--name", "x", "--expires-days", "0"], "1 to 3650"),
        (["create", "zhang.wei", "--name", ""], "1 to 100 characters"),
        (["revoke", "99999999999999999999999"], "No live token"),
    ],
)
def test_token_commands_explain_bad_input(
    shared_database: str, args: list[str], message: str
) -> None:
    result = _cli(shared_database, *args)
    assert result.exit_code != 0
    assert message in result.output
