"""Run Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


KEYED_AUDIT_LOG = "0016"


def current_revision(url: str) -> str | None:
    """The revision the database at `url` stands at (None for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    from survey_app.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head", data_key: str = "") -> None:
    """Bring the database at `url` up to `revision`, then register the bundled instruments and schemes (and
    store answer codes missing from older responses): this, not a page view, is where data is prepared."""
    before = current_revision(url)
    command.upgrade(alembic_config(url), revision)
    if revision != "head":
        return
    from survey_app.db import make_engine, unit_of_work
    from survey_app.services.audit import seal
    from survey_app.services.campaigns.instruments import register_bundled
    from survey_app.services.grades.grading import backfill_codes
    from survey_app.services.grades.schemes import ensure_schemes
    from survey_app.services.review.contacts import ContactCipher, encrypt_plain_contacts

    engine = make_engine(url)
    try:
        with unit_of_work(engine) as session:
            register_bundled(session=session)
            ensure_schemes(session=session)
            backfill_codes(session=session)
            if before is not None and before < KEYED_AUDIT_LOG:
                # rows and heads written before the audit log was keyed, sealed once, on this upgrade
                # only: afterwards an unkeyed row is a forgery, never something to seal
                seal(session=session)
            if data_key:
                encrypt_plain_contacts(session=session, cipher=ContactCipher(data_key))
    finally:
        engine.dispose()
