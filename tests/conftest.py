"""Shared fixtures: a migrated template database copied per test, the app and a client."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.testclient import TestClient

from survey_app import tokens
from survey_app.app import create_app
from survey_app.db import make_engine
from survey_app.migrate import upgrade
from survey_app.models import Location
from survey_app.settings import Settings

SECRET = "test-secret-key-with-enough-length-0123456789"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated with Alembic, copied for every test (fast, and exercises the migration)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def settings(tmp_path: Path, template_db: Path) -> Settings:
    db = tmp_path / "test.db"
    shutil.copy(template_db, db)
    base = Settings.from_env({"MINGCHA_VAR_DIR": str(tmp_path), "MINGCHA_SECRET_KEY": SECRET})
    return replace(base, database_url=f"sqlite:///{db}")


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    eng = make_engine(settings.database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as c:
        yield c


def survey_path(location: Location) -> str:
    return f"/s/{tokens.location_token(SECRET, location.token_nonce)}"


def form_token(html: str) -> str:
    match = re.search(r'name="_form" value="([^"]+)"', html)
    assert match, "the survey form carries a signed form token"
    return match.group(1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with tiny parameters: the same code path at a fraction of the cost (production: defaults)."""
    from argon2 import PasswordHasher

    from survey_app.auth import passwords

    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
