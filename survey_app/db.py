"""Engine creation (SQLite in WAL mode by default, PostgreSQL through DATABASE_URL) and the unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, create_engine

from survey_app.errors import ReadOnlyViolation


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and explicit transactions."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(
        "PRAGMA synchronous=FULL"
    )  # an acknowledged submission survives a power cut, not only a crash
    cur.execute("PRAGMA busy_timeout=15000")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    """A writing unit of work takes SQLite's write lock first (BEGIN IMMEDIATE): a transaction that read
    and then writes could otherwise fail at once with 'database is locked' when another writer committed
    in between; waiting for the lock up front serialises writers cleanly."""
    immediate = conn.get_execution_options().get("mingcha_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def unit_of_work(engine: Engine, *, write: bool = True) -> Iterator[Session]:
    """One session, one transaction: committed once at the end, rolled back on any error.

    A read-only unit (a GET request) is always rolled back, and refuses to end with pending changes, so a
    page view can never write.
    """
    bind = engine.execution_options(mingcha_write=True) if write else engine
    with Session(bind, expire_on_commit=False, autoflush=write) as session:
        try:
            yield session
            if write:
                session.commit()
            elif session.new or session.dirty or session.deleted:
                raise ReadOnlyViolation("a read-only unit of work has pending changes")
        except BaseException:
            session.rollback()
            raise
        else:
            if not write:
                session.rollback()


@event.listens_for(Session, "before_flush")
def _free_poster_codes(session: Session, _context: Any, _instances: Any) -> None:
    """A new or rotated location's typed poster code must be unused: draw again on the rare collision."""
    from sqlmodel import col, select

    from survey_app.codes import new_code
    from survey_app.models import Location

    pending = [
        obj
        for obj in (*session.new, *session.dirty)
        if isinstance(obj, Location) and obj.short_code is not None
    ]
    if not pending:
        return
    wanted = {loc.short_code for loc in pending}
    mine = [loc.id for loc in pending if loc.id is not None] or [-1]
    with session.no_autoflush:
        query = select(Location.short_code).where(
            col(Location.short_code).in_(wanted), col(Location.id).not_in(mine)
        )
        taken = set(session.exec(query).all())
    seen: set[str | None] = set()
    for loc in pending:
        while loc.short_code in taken or loc.short_code in seen:
            loc.short_code = new_code()
        seen.add(loc.short_code)
