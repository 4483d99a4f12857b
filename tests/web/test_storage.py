"""Storage: the Alembic migration matches the models, on SQLite (WAL) and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import Session, SQLModel

from survey_app.db import make_engine
from survey_app.migrate import upgrade
from survey_app.services.demo.estate import seed_demo
from survey_app.settings import Settings


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
