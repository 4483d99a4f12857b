"""Storage: the Alembic migration matches the models, on SQLite (WAL) and on PostgreSQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import Session, SQLModel, func, select
from starlette.testclient import TestClient

from survey_app.app import create_app
from survey_app.db import make_engine, unit_of_work
from survey_app.migrate import upgrade
from survey_app.models import (
    SurveyResponse,
)
from survey_app.services.demo.estate import seed_demo
from survey_app.settings import Settings
from tests.factories import full_answers, make_campaign


def _no_drift(url: str) -> None:
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    engine.dispose()
    assert diff == [], "models and migrations disagree: write a migration"


def test_sqlite_migration_matches_models_and_uses_wal(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    upgrade(url)
    _no_drift(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_postgres_migration_and_demo_seed(pg_url: str) -> None:
    upgrade(pg_url)
    _no_drift(pg_url)
    engine = make_engine(pg_url)
    with Session(engine) as session:
        campaign, locations, created = seed_demo(session=session)
        assert created and len(locations) == 15
        assert seed_demo(session=session)[2] is False, "seeding twice changes nothing"
    engine.dispose()


def test_settings_choose_sqlite_under_var_by_default(tmp_path: Path) -> None:
    settings = Settings.from_env({"MINGCHA_VAR_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'mingcha.db'}"
    assert (tmp_path / "secret_key").exists(), "a per-checkout secret keeps printed links valid"
    assert Settings.from_env({"MINGCHA_VAR_DIR": str(tmp_path)}).secret_key == settings.secret_key


def test_production_refuses_a_missing_secret(tmp_path: Path) -> None:
    from survey_app.settings import SettingsError

    with pytest.raises(SettingsError):
        Settings.from_env({"MINGCHA_ENV": "production", "MINGCHA_VAR_DIR": str(tmp_path)})
    env = {"DATABASE_URL": "postgresql+psycopg://x@h/db", "MINGCHA_VAR_DIR": str(tmp_path)}
    assert Settings.from_env(env).database_url.startswith("postgresql")


def test_a_submission_waiting_too_long_for_the_write_lock_is_told_to_try_again_and_lands_later(
    settings: Settings, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from survey_app import db as dbmod
    from tests.conftest import form_token, survey_path

    _campaign, locations = make_campaign(session)
    path = survey_path(locations[0])
    monkeypatch.setattr(dbmod, "WRITER_WAIT_S", 0.3)
    other = sqlite3.connect(settings.database_url.split("///", 1)[1], isolation_level=None)
    with TestClient(create_app(settings), follow_redirects=False) as client:
        data = {"_form": form_token(client.get(path).text), "_step": "submit", **full_answers()}
        other.execute("BEGIN IMMEDIATE")  # another process (a command, the worker) is writing
        busy = client.post(path, data=data)
        assert busy.status_code == 503
        assert "请稍等片刻再提交" in busy.text
        other.execute("ROLLBACK")
        assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 0
        assert client.post(path, data=data).status_code == 303, "the same answers land once the lock is free"
    other.close()
    assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == 1


def test_a_pooled_postgres_connection_dropped_while_idle_is_replaced_not_an_error(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from survey_app import db as dbmod

    engine = make_engine(pg_url)
    with unit_of_work(engine, write=False) as s:
        pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
    killer = make_engine(pg_url)
    with killer.begin() as conn:  # the server restarted, or a proxy dropped the idle connection
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    killer.dispose()
    monkeypatch.setattr(dbmod, "PING_AFTER_S", 0.0)
    with unit_of_work(engine, write=False) as s:
        again = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert again != pid, "a fresh connection, and no error for the request"
    monkeypatch.setattr(dbmod, "PING_AFTER_S", 3600.0)
    with unit_of_work(engine, write=False) as s:  # in constant use: no ping, the same connection
        assert s.execute(text("SELECT pg_backend_pid()")).scalar_one() == again
    engine.dispose()


def test_9_sqlite_is_durable(settings: Settings) -> None:
    from survey_app.db import make_engine

    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2, "FULL: fsync at every commit"
    engine.dispose()
    sqlite3.connect(":memory:").close()


def test_the_database_its_wal_and_the_queue_are_private(tmp_path: Path) -> None:
    import os
    import stat

    from survey_app.worker.queue import make_huey

    old = os.umask(0o022)  # a default that would make files world-readable
    try:
        url = f"sqlite:///{tmp_path / 'private.db'}"
        upgrade(url)
        engine = make_engine(url)
        with unit_of_work(engine) as session:
            make_campaign(session, code="P-1")
            session.commit()
            for name in ("private.db", "private.db-wal", "private.db-shm"):
                mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
                assert mode == 0o600, f"{name} is {oct(mode)}"
        engine.dispose()
        make_huey(f"sqlite:///{tmp_path / 'jobs.db'}")
        assert stat.S_IMODE((tmp_path / "jobs.db").stat().st_mode) == 0o600
        widened = tmp_path / "old.db"
        sqlite3.connect(widened).close()
        widened.chmod(0o644)
        make_engine(f"sqlite:///{widened}").dispose()
        assert stat.S_IMODE(widened.stat().st_mode) == 0o600, "an older, wider file is narrowed"
    finally:
        os.umask(old)
