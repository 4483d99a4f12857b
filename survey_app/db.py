"""Engine creation (SQLite in WAL mode by default, PostgreSQL through DATABASE_URL) and the unit of work."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine

from survey_app.errors import ReadOnlyViolation, Unavailable

WRITER_WAIT_S = 15  # how long a writer waits for SQLite's write lock before "try again in a moment" (503)
LOCK_POLL_S = 0.001


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys, a busy timeout and explicit transactions."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            private_file(Path(path))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": WRITER_WAIT_S})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(url)
    event.listen(engine, "checkin", _idle_since)
    event.listen(engine, "checkout", _ping_if_idle)
    return engine


def private_file(path: Path) -> None:
    """A SQLite database readable by its owner only (mode 0600, made so before SQLite opens it: SQLite gives
    its -wal and -shm files the database file's mode). A file made earlier with a wider mode is narrowed,
    with its -wal and -shm."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if part.stat().st_mode & 0o077:
                part.chmod(0o600)
        except FileNotFoundError:
            continue
        except PermissionError:  # not ours to change (a shared, read-only copy): leave it
            continue


PING_AFTER_S = 2.0  # a pooled connection idle this long is checked before use


def _idle_since(_dbapi_conn: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
    """A connection that sat in the pool (the server may have restarted or dropped it meanwhile) is pinged
    before use, and replaced when dead; one in constant use is not (`pool_pre_ping` pinged every checkout:
    a round trip per request, a fifth of a survey submission's time on PostgreSQL)."""
    if time.monotonic() - record.info.get("idle_since", 0.0) < PING_AFTER_S:
        return
    try:
        cursor = dbapi_conn.cursor()
        cursor.execute("SELECT 1")
        cursor.close()
        dbapi_conn.rollback()
    except Exception as exc:
        raise DisconnectionError("the pooled connection is gone") from exc


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _sqlite_begin)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(
        "PRAGMA synchronous=FULL"
    )  # an acknowledged submission survives a power cut, not only a crash
    cur.execute(f"PRAGMA busy_timeout={WRITER_WAIT_S * 1000}")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    """A writing unit of work takes SQLite's write lock first (BEGIN IMMEDIATE): a transaction that read
    and then writes could otherwise fail at once with 'database is locked' when another writer committed
    in between; waiting for the lock up front serialises writers cleanly."""
    if not conn.get_execution_options().get("mingcha_write", False):
        conn.exec_driver_sql("BEGIN")
        return
    raw = conn.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    raw.execute("PRAGMA busy_timeout=0")
    deadline = time.monotonic() + WRITER_WAIT_S
    try:
        while True:  # SQLite's own wait sleeps up to 100 ms between tries: a waiter misses the lock's release
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise Unavailable("server_busy") from exc
                time.sleep(LOCK_POLL_S)  # another process (the worker, a command) is writing
    finally:
        raw.execute(f"PRAGMA busy_timeout={WRITER_WAIT_S * 1000}")


@contextmanager
def unit_of_work(engine: Engine, *, write: bool = True, lock_late: bool = False) -> Iterator[Session]:
    """One session, one transaction: committed once at the end, rolled back on any error.

    A read-only unit (a GET request) is always rolled back, and refuses to end with pending changes, so a
    page view can never write.

    `lock_late`: a writing unit that mostly reads (the public survey's submit: find the token, check the
    answers) reads without SQLite's write lock and takes it only when it starts writing (`begin_writing`), so
    that concurrent submissions hold the one write lock for their insert alone, not for their checks.
    """
    bind = engine.execution_options(mingcha_write=True) if write and not lock_late else engine
    with Session(bind, expire_on_commit=False, autoflush=write) as session:
        session.info[LATE] = write and lock_late
        try:
            if write and not lock_late:
                _take_writer(session, engine)
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
        finally:
            held: threading.RLock | None = session.info.pop(HELD, None)
            if held is not None:
                held.release()


LATE = "mingcha_lock_late"
HELD = "mingcha_writer_lock"
_writer_locks: dict[str, threading.RLock] = {}
_writer_locks_guard = threading.Lock()


def _take_writer(session: Session, engine: Engine) -> None:
    """SQLite has one writer at a time, and a connection waiting for the write lock polls for it with
    growing sleeps (up to 100 ms), so under load a waiting writer keeps losing it to newcomers and a few wait
    seconds. The writers of this process queue on a lock of their own instead, handed over the moment the
    previous unit has committed; other processes (a separate worker, a command) still meet SQLite's wait."""
    if engine.dialect.name != "sqlite":
        return
    with _writer_locks_guard:
        lock = _writer_locks.setdefault(str(engine.url), threading.RLock())
    if not lock.acquire(timeout=WRITER_WAIT_S):
        raise Unavailable("server_busy")
    session.info[HELD] = lock


def begin_writing(*, session: Session) -> None:
    """In a unit that locks late: end the reading transaction (nothing written yet) and start the writing
    one, which takes the write lock first (BEGIN IMMEDIATE); what was read stays loaded. Elsewhere a no-op."""
    if not session.info.get(LATE):
        return
    if session.new or session.dirty or session.deleted:
        raise ReadOnlyViolation("changes made before begin_writing in a unit that locks late")
    session.info[LATE] = False
    bind = session.get_bind()
    assert isinstance(bind, Engine)
    if bind.dialect.name != "sqlite":
        return  # no single write lock elsewhere: the same transaction goes on writing
    session.commit()
    _take_writer(session, bind)
    session.connection(execution_options={"mingcha_write": True})


@event.listens_for(Session, "before_flush")
def _write_after_lock(session: Session, _context: Any, _instances: Any) -> None:
    """A unit that locks late must say when it starts writing: a write in its reading transaction could
    fail at once on SQLite (another writer committed since it began) instead of waiting for the lock."""
    if session.info.get(LATE):
        raise ReadOnlyViolation("a unit that locks late wrote before begin_writing")


@event.listens_for(Session, "before_flush")
def _free_poster_codes(session: Session, _context: Any, _instances: Any) -> None:
    """A new or rotated location's typed poster code must be unused: draw again on the rare collision."""
    from sqlmodel import col, select

    from survey_app.models import Location
    from survey_app.short_codes import new_code

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
