"""Shared fixtures: a migrated template database copied per test, the app and a client."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine as sa_create_engine
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine
from starlette.testclient import TestClient

from survey_app import keyring, location_tokens
from survey_app.app import create_app
from survey_app.cli.main import main as cli_main
from survey_app.db import make_engine
from survey_app.keyring import Keyring
from survey_app.migrate import upgrade
from survey_app.models import Location
from survey_app.settings import Settings

SECRET = "test-secret-key-with-enough-length-0123456789"
PG_URL = os.environ.get("MINGCHA_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture(scope="session")
def keyring_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One signing keyring for the whole run (what var/signing_keys.json is in development)."""
    path = tmp_path_factory.mktemp("keys") / "signing_keys.json"
    Keyring.load_or_create(path)
    return path


@pytest.fixture(scope="session")
def signing_keyring(keyring_file: Path) -> Keyring:
    """The keyring services sign with when a test calls them directly (an app or a command loads the same)."""
    ring = Keyring.load(keyring_file)
    keyring.use(ring)
    return ring


@pytest.fixture(autouse=True)
def active_keyring(signing_keyring: Keyring) -> Keyring:
    """Every test starts with the run's keyring active (an app made with other settings may swap it)."""
    keyring.use(signing_keyring)
    return signing_keyring


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory, signing_keyring: Keyring) -> Path:
    """One database migrated with Alembic, copied for every test (fast, and exercises the migration)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def settings(tmp_path: Path, template_db: Path, keyring_file: Path) -> Settings:
    db = tmp_path / "test.db"
    shutil.copy(template_db, db)
    shutil.copy(keyring_file, tmp_path / "signing_keys.json")  # where a command run with this var dir looks
    base = Settings.from_env({"MINGCHA_VAR_DIR": str(tmp_path), "MINGCHA_SECRET_KEY": SECRET})
    return replace(base, database_url=f"sqlite:///{db}", login_failure_delay=0.0, queue_url="immediate://")


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """The test's own engine. SQLite through pysqlite's default transaction handling: a test's reads
    start no transaction, so they see what the app committed meanwhile (the app's engine, by contrast,
    begins every unit of work explicitly)."""
    if settings.database_url.startswith("sqlite"):
        eng = create_engine(settings.database_url, connect_args={"check_same_thread": False, "timeout": 15})
    else:
        eng = make_engine(settings.database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


CliRun = Callable[..., tuple[int, str]]


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> CliRun:
    """`python -m survey_app ARGS...` run in-process on this test's database and var dir (its keyring
    included): returns (exit code, what it printed on stdout and stderr)."""
    monkeypatch.setenv("DATABASE_URL", settings.database_url)
    monkeypatch.setenv("MINGCHA_VAR_DIR", str(settings.var_dir))

    def run(*args: str) -> tuple[int, str]:
        capsys.readouterr()
        code = cli_main(list(args))
        out = capsys.readouterr()
        return code, out.out + out.err

    return run


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), follow_redirects=False) as c:
        yield c


def survey_path(location: Location) -> str:
    return f"/s/{location_tokens.location_token(SECRET, location.token_nonce)}"


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


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema on the local PostgreSQL; required when CI=true, skipped elsewhere if absent."""
    admin = sa_create_engine(PG_URL)
    schema = f"t_{uuid.uuid4().hex[:10]}"
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"PostgreSQL not reachable: {exc.__class__.__name__}")
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
